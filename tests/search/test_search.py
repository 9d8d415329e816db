"""Vocabulary-aware search, facets and permissions. The same expectations run on SQLite and PostgreSQL,
so passing on both means both databases return the same result sets."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assets import services
from assets.models import Asset, AssetTerm, ReviewState
from ingest.metadata import capture_facts
from ingest.services import asset_ingest
from search import expansion, index
from search.models import SearchDocument, SearchText
from taxonomy.models import TermLabel, Vocabulary, normalize_label
from taxonomy.signals import vocabulary_changed
from tests.factories import make_asset, make_term


@pytest.fixture(autouse=True)
def fresh_vocabulary_cache(db):
    # Another test's rolled-back terms must not linger in this process's snapshot.
    expansion.invalidate()
    yield
    expansion.invalidate()


def label(term, text, kind="alt", language="en"):
    return TermLabel.objects.create(term=term, kind=kind, language=language, text=text,
                                    normalized=normalize_label(text))


def term(vocabulary, name, broader=None):
    t = make_term(vocabulary, name, broader)
    label(t, name, kind="pref")
    return t


def tag(asset, *terms):
    for t in terms:
        AssetTerm.objects.create(asset=asset, term=t)


@pytest.fixture
def library_of(people):
    """A small vocabulary and assets tagged with it, every asset approved and visible to everyone."""
    vocabulary = Vocabulary.objects.create(uri="https://vocab.test/", title="Subjects")
    footwear = term(vocabulary, "Footwear")
    running = term(vocabulary, "Running shoes", broader=footwear)
    trail = term(vocabulary, "Trail shoes", broader=running)
    label(running, "trainers")
    label(running, "runing shoes", kind="hidden")
    label(running, "Laufschuhe", kind="pref", language="de")
    cats = term(vocabulary, "Cats")
    label(cats, "felines")
    label(cats, "kats", kind="hidden")
    label(cats, "Katzen", kind="pref", language="de")
    owner = people["brand_manager"]
    a = {
        "run": make_asset(owner, title="Morning jog", approved=True),
        "trail": make_asset(owner, title="Mountain path", approved=True),
        "cat": make_asset(owner, title="Sofa afternoon", approved=True),
        "harbour": make_asset(owner, title="Harbour at dawn", approved=True, filename="IMG_2040.png"),
        "kw": make_asset(owner, title="Coastline", approved=True),
    }
    services.asset_update(asset=a["cat"], actor=None, changes={"description": "Asleep by the harbour window"})
    services.asset_update(asset=a["harbour"], actor=None, changes={"description": "Boats and ropes",
                                                                    "metadata": {"photographer": "Ansel Adams"}})
    tag(a["run"], running)
    tag(a["trail"], trail)
    tag(a["cat"], cats)
    version = a["kw"].current_version
    version.embedded_metadata = {"keywords": ["Lighthouse", "Phare"],
                                 "exif": {"Make": "Canon", "Model": "EOS R5", "DateTimeOriginal": "2021:06:01 10:00"}}
    facts = capture_facts(version.embedded_metadata)  # as ingest copies them out
    for name, value in facts.items():
        setattr(version, name, value)
    version.save(update_fields=["embedded_metadata", *facts])
    a["terms"] = {"footwear": footwear, "running": running, "trail": trail, "cats": cats}
    return a


def found(client, **params):
    response = client.get("/api/v1/assets/", {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return response.json()


def titles(body):
    return {row["title"] for row in body["results"]}


QUERIES = {
    "trainers": {"Morning jog", "Mountain path"},            # synonym, plus the narrower Trail shoes
    "runing shoes": {"Morning jog", "Mountain path"},        # hidden label (a misspelling)
    "Laufschuhe": {"Morning jog", "Mountain path"},          # label in another language
    "katzen": {"Sofa afternoon"},
    "felines": {"Sofa afternoon"},
    "KATS": {"Sofa afternoon"},
    "footwear": {"Morning jog", "Mountain path"},            # broader term finds narrower, transitively
    "running shoes": {"Morning jog", "Mountain path"},       # multi-word label as one concept
    "trail shoes": {"Mountain path"},
    "harbour": {"Harbour at dawn", "Sofa afternoon"},        # title and description
    "harbour boats": {"Harbour at dawn"},                    # words AND
    "harbour felines": {"Sofa afternoon"},                   # a word AND a concept
    "footwear harbour": set(),
    "img_2040": {"Harbour at dawn"},                         # original file name
    "ansel": {"Harbour at dawn"},                            # metadata values
    "lighthouse": {"Coastline"},                             # embedded keywords
    "harb": {"Harbour at dawn", "Sofa afternoon"},           # words match as prefixes
    "Mörning": {"Morning jog"},                              # accents and case do not matter
    "zebra": set(),
}


@pytest.mark.parametrize("q", list(QUERIES))
def test_vocabulary_aware_queries(api, library_of, q):
    assert titles(found(api["viewer"], q=q)) == QUERIES[q]


def test_the_page_says_how_the_query_was_understood(api, library_of):
    body = found(api["viewer"], q="trainers")
    assert body["search"]["understood"] == ["trainers: searching Running shoes, its synonyms and 1 narrower term"]
    body = found(api["viewer"], q="felines")
    assert body["search"]["understood"] == ["felines: searching Cats and its synonyms"]


def test_did_you_mean_offers_close_labels_for_unknown_words(api, library_of, web):
    body = found(api["viewer"], q="felnes")
    assert body["count"] == 0
    assert {"word": "felnes", "suggestion": "felines"} in body["search"]["did_you_mean"]
    page = web("viewer").get("/assets/", {"q": "felnes"})
    assert b"Did you mean" in page.content and b"q=felines" in page.content


def test_title_ranks_above_description(api, library_of):
    body = found(api["viewer"], q="harbour")
    assert [r["title"] for r in body["results"]] == ["Harbour at dawn", "Sofa afternoon"]


def test_index_follows_edits_in_the_same_transaction(api, library_of):
    services.asset_update(asset=library_of["run"], actor=None, changes={"title": "Evening sprint"})
    assert titles(found(api["viewer"], q="sprint")) == {"Evening sprint"}
    assert titles(found(api["viewer"], q="morning")) == set()
    AssetTerm.objects.filter(asset=library_of["cat"]).delete()
    assert titles(found(api["viewer"], q="felines")) == set()
    assert SearchText.objects.get(asset=library_of["cat"]).labels == ""


def test_the_search_follows_texts_written_after_their_index_row(api, library_of):
    """The index service writes an asset's texts just before its index row; texts changed, deleted or
    written after it reach the search too (on PostgreSQL, migration 0018's triggers carry them to the
    row's vector; on SQLite the FTS5 table follows the texts themselves)."""
    cat = library_of["cat"]
    SearchText.objects.filter(pk=cat.pk).update(description="zanzibar")
    assert titles(found(api["viewer"], q="zanzibar")) == {"Sofa afternoon"}
    SearchText.objects.filter(pk=cat.pk).delete()
    assert titles(found(api["viewer"], q="zanzibar")) == set()
    assert titles(found(api["viewer"], q="sofa")) == set()
    SearchText.objects.create(asset=cat, title="sofa afternoon", description="quokka")
    assert titles(found(api["viewer"], q="quokka")) == {"Sofa afternoon"}
    assert titles(found(api["viewer"], q="zanzibar")) == set()


def test_vocabulary_changes_invalidate_the_expansion(api, library_of):
    cats = library_of["terms"]["cats"]
    assert titles(found(api["viewer"], q="kitties")) == set()
    label(cats, "kitties")
    assert titles(found(api["viewer"], q="kitties")) == {"Sofa afternoon"}
    # A new broader link: Footwear now also covers Cats (a librarian's odd but legal choice).
    cats.broader.add(library_of["terms"]["footwear"])
    assert "Sofa afternoon" in titles(found(api["viewer"], q="footwear"))


def test_bulk_vocabulary_writes_announce_themselves(api, library_of):
    cats = library_of["terms"]["cats"]
    TermLabel.objects.bulk_create([TermLabel(term=cats, kind="alt", language="fr", text="chats",
                                             normalized="chats")])  # bypasses model signals, as an importer may
    vocabulary_changed.send(sender=Vocabulary, vocabulary_id=cats.vocabulary_id)
    assert titles(found(api["viewer"], q="chats")) == {"Sofa afternoon"}
    assert "chats" in SearchText.objects.get(asset=library_of["cat"]).labels


def test_a_change_committed_by_another_process_is_picked_up(api, library_of):
    """What another process's invalidate() leaves behind is a higher number in the row; this process has
    not been told anything else, and must still search with the new label."""
    from django.db.models import F

    from search.models import VocabularyGeneration

    assert titles(found(api["viewer"], q="gatos")) == set()  # the snapshot is taken
    cats = library_of["terms"]["cats"]
    TermLabel.objects.bulk_create([TermLabel(term=cats, kind="alt", language="es", text="gatos", normalized="gatos")])
    assert titles(found(api["viewer"], q="gatos")) == set()  # nothing said: the snapshot stands
    VocabularyGeneration.objects.filter(pk=expansion.GENERATION_ROW).update(number=F("number") + 1)
    assert "gatos" in expansion.current().by_label
    assert titles(found(api["viewer"], q="gatos")) == {"Sofa afternoon"}  # through the tag: no reindex needed


def test_a_request_reads_the_generation_once(web):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web("viewer")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/assets/", {"q": "harbour footwear"}).status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if "assets_vocabularygeneration" in q["sql"]]
    assert len(reads) == 1


def test_term_filter_includes_narrower_terms(api, library_of):
    footwear = library_of["terms"]["footwear"]
    assert titles(found(api["viewer"], term=footwear.pk)) == {"Morning jog", "Mountain path"}
    both = found(api["viewer"], term=[footwear.pk, library_of["terms"]["trail"].pk])
    assert titles(both) == {"Mountain path"}


def _facet_links(facets):
    """Every (params, count) a facet offers."""
    for facet in facets.values():
        groups = facet.get("vocabularies") or [facet]
        for group in groups:
            for value in group["values"]:
                yield value.get("params") or {facet["param"]: value["value"]}, value["count"]


@pytest.mark.parametrize("persona", ["admin", "viewer", "contributor"])
@pytest.mark.parametrize("base", [{}, {"q": "harbour"}, {"q": "footwear"}])
def test_facet_counts_equal_the_filtered_results(api, library_of, people, persona, base):
    make_asset(people["contributor"], title="Harbour draft in running shoes")  # a draft: some see it, some not
    body = found(api[persona], **base)
    links = list(_facet_links(body["facets"]))
    assert links, "expected some facets"
    for params, count in links:
        narrowed = found(api[persona], **base, **params)
        assert narrowed["count"] == count, (params, count, narrowed["count"])
    type_total = sum(v["count"] for v in body["facets"]["type"]["values"])
    assert type_total == body["count"]


def test_camera_capture_and_file_type_facets(api, library_of):
    facets = found(api["viewer"])["facets"]
    assert {"value": "Canon|EOS R5", "label": "Canon EOS R5", "count": 1,
            "params": {"make": "Canon", "camera_model": "EOS R5"}} in facets["camera"]["values"]
    assert [v["value"] for v in facets["captured"]["values"]] == ["2021"]
    assert titles(found(api["viewer"], captured_after="2021-01-01", captured_before="2021-12-31")) == {"Coastline"}
    assert titles(found(api["viewer"], captured_after="2022-01-01")) == set()
    assert facets["file_type"]["values"][0]["value"] == "image/png"


def test_review_state_facet_only_for_those_who_see_drafts(api, library_of):
    assert "status" in found(api["editor"])["facets"]
    assert "status" not in found(api["viewer"])["facets"]


def _hidden_assets(people):
    """A draft, an archived, an embargoed and an expired asset, all matching "secret harbour"."""
    owner = people["brand_manager"]
    draft = make_asset(owner, title="Secret harbour draft")
    archived = make_asset(owner, title="Secret harbour archived", approved=True)
    embargoed = make_asset(owner, title="Secret harbour embargoed", approved=True)
    expired = make_asset(owner, title="Secret harbour expired", approved=True)
    now = timezone.now()
    services.asset_update(asset=archived, actor=None, changes={})
    archived.archived_at = now
    archived.save(update_fields=["archived_at"])
    services.asset_update(asset=embargoed, actor=None, changes={"embargo_until": now + timedelta(days=3)})
    services.asset_update(asset=expired, actor=None, changes={"rights_expire_at": now - timedelta(days=1)})
    return [draft, archived, embargoed, expired]


def test_viewer_never_sees_unusable_assets_in_results_facets_or_counts(api, library_of, people, web):
    _hidden_assets(people)
    for q in ("secret", "harbour", ""):
        body = found(api["viewer"], q=q)
        assert not any(t.startswith("Secret") for t in titles(body))
        assert sum(v["count"] for v in body["facets"]["type"]["values"]) == body["count"]
        for group in body["facets"]["rights"]["values"]:
            assert group["value"] not in ("embargoed", "expired")
    assert found(api["viewer"], q="secret")["count"] == 0
    # Editors see drafts and assets out of rights; archived ones only on the archive screen.
    assert found(api["editor"], q="secret")["count"] == 3
    page = web("viewer").get("/assets/", {"q": "secret harbour"})
    assert b"Secret" not in page.content


def test_same_result_set_whatever_the_order(api, library_of):
    for ordering in ("relevance", "-created", "created", "title", "-title", "size", "-size"):
        assert titles(found(api["viewer"], q="harbour", ordering=ordering)) == QUERIES["harbour"]
    assert [r["title"] for r in found(api["viewer"], q="harbour", ordering="title")["results"]] == [
        "Harbour at dawn", "Sofa afternoon"]


def test_list_page_query_count_is_constant(web, people, library_of):
    """Thumbnails, facets and counts come with the page: 2 results or 14 cost the same number of queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web("viewer")

    def add_tagged(n):
        for i in range(n):
            asset = make_asset(people["brand_manager"], title=f"Harbour extra {i}", approved=True)
            tag(asset, library_of["terms"]["trail"], library_of["terms"]["cats"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/assets/", {"q": "harbour", "view": "table"}).status_code == 200
            assert client.get("/assets/", {"view": "grid", "type": "image", "term": library_of["terms"]["cats"].pk}
                              ).status_code == 200
            assert client.get("/api/v1/assets/", {"q": "harbour footwear"}).status_code == 200
        return len(ctx)

    add_tagged(1)
    client.get("/assets/")
    before = count()
    add_tagged(12)
    assert count() == before


@pytest.mark.parametrize("params", [{}, {"q": "harbour"}, {"q": "footwear", "type": "image"}])
def test_the_count_from_the_facet_statement_paginates_like_a_fresh_count(api, web, people, params):
    """The facet statement counts the results and the paginators reuse it: the same count and pages either way."""
    for i in range(5):
        make_asset(people["brand_manager"], title=f"Harbour pier {i}", approved=True)
    with_facets = found(api["viewer"], **params, page_size=2)
    counted = found(api["viewer"], **params, page_size=2, facets=0)
    assert with_facets["count"] == counted["count"] == sum(v["count"] for v in with_facets["facets"]["type"]["values"])
    assert (with_facets["next"] is None) == (counted["next"] is None)
    last = -(-counted["count"] // 2) if counted["count"] else 1
    tail = found(api["viewer"], **params, page_size=2, page=last)
    assert len(tail["results"]) == counted["count"] - 2 * (last - 1)
    page = web("viewer").get("/assets/", params)
    assert page.context["paginator"].count == counted["count"]


def test_review_state_of_results_respects_shown_version(api, library_of, people):
    editor_view = found(api["editor"], status=ReviewState.APPROVED)
    assert editor_view["count"] == 5


def test_terms_added_through_the_relation_are_indexed(api, library_of):
    library_of["kw"].terms.add(library_of["terms"]["cats"])
    assert titles(found(api["viewer"], q="felines")) == {"Sofa afternoon", "Coastline"}


def test_hidden_labels_are_never_suggested(api, library_of):
    suggestions = found(api["viewer"], q="katss")["search"]["did_you_mean"]
    assert "kats" not in {s["suggestion"] for s in suggestions}


# As it runs for real: each batch commits, then the indexes are rebuilt (outside any transaction).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_reindex_command_rebuilds_the_index(api, library_of):
    from django.core.management import call_command

    SearchDocument.objects.all().delete()
    SearchText.objects.all().delete()
    assert titles(found(api["viewer"], q="lighthouse")) == set()
    out = __import__("io").StringIO()
    call_command("search_reindex", "--batch", "2", stdout=out, verbosity=0)  # several batches, each committed
    assert titles(found(api["viewer"], q="lighthouse")) == {"Coastline"}
    assert SearchDocument.objects.count() == Asset.objects.count()
    assert out.getvalue().strip() == f"Indexed {Asset.objects.count()} assets."


def _index_files():
    """PostgreSQL: the file of each index on the index rows; SQLite: the FTS5 table's segments."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexrelid::regclass::text, pg_relation_filenode(indexrelid) FROM pg_index "
                           "WHERE indrelid = 'assets_searchdocument'::regclass")
        else:
            cursor.execute("SELECT DISTINCT segid, 0 FROM assets_search_fts_idx")
        return dict(cursor.fetchall())


# PostgreSQL rebuilds concurrently, which no transaction may hold.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_compacting_rebuilds_the_full_text_index_and_keeps_every_match(api, library_of):
    ids = list(Asset.objects.values_list("pk", flat=True))
    for _ in range(3):  # rewritten in three transactions, as edits and reindexing do: three FTS5 segments
        index.reindex_assets(ids)
    queries = ["lighthouse", "footwear", "trainers", "felines"]
    before = {q: titles(found(api["viewer"], q=q)) for q in queries}
    files = _index_files()
    assert len(files) >= (4 if connection.vendor == "postgresql" else 2)

    index.compact()

    after = _index_files()
    if connection.vendor == "postgresql":  # every index rebuilt under its own name
        assert after.keys() == files.keys() and all(after[name] != files[name] for name in files)
    else:  # the segments merged into one
        assert len(after) == 1
    assert {q: titles(found(api["viewer"], q=q)) for q in queries} == before
    assert all(before[q] for q in queries)


def test_compacting_refuses_to_run_inside_a_transaction(db):
    with transaction.atomic(), pytest.raises(RuntimeError, match="outside a transaction"):
        index.compact()


def test_list_page_shows_chips_that_remove_one_filter_each(web, library_of):
    running = library_of["terms"]["running"]
    page = web("viewer").get("/assets/", {"q": "trainers", "type": "image", "term": running.pk})
    html = page.content.decode()
    assert "trainers: searching Running shoes, its synonyms and 1 narrower term" in html
    assert "Type: Image" in html and "Term: Running shoes" in html
    assert f'href="/assets/?q=trainers&amp;term={running.pk}"' in html  # the type chip keeps the rest
    assert "Review state" not in html  # viewers get no review-state facet


def test_advanced_search_page(web, library_of):
    assert b"Review state" not in web("viewer").get("/assets/search/").content
    page = web("editor").get("/assets/search/", {"term": library_of["terms"]["cats"].pk})
    assert page.status_code == 200
    assert b"Review state" in page.content
    # The chosen term is a chip of the term picker (typed, not picked from a list of every term).
    cats = library_of["terms"]["cats"]
    assert f'name="term" value="{cats.pk}"'.encode() in page.content and b'role="combobox"' in page.content
    assert f'aria-label="Remove {cats.label}"'.encode() in page.content


def test_review_state_filter_does_not_reveal_revisions_in_review_to_viewers(api, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    asset = make_asset(people["editor"], title="Quay at dusk", approved=True)
    api["editor"].post(f"/api/v1/assets/{asset.uid}/versions/", {"file": SimpleUploadedFile("v2.png", png_bytes())},
                       format="multipart")
    version_id = api["editor"].get(f"/api/v1/assets/{asset.uid}/").json()["current_version"]["id"]
    assert api["editor"].post(f"/api/v1/versions/{version_id}/submit/", {}, format="json").status_code == 200
    assert found(api["editor"], status="in_review")["count"] == 1
    assert found(api["viewer"], status="in_review")["count"] == 0
    assert found(api["viewer"], status="approved")["count"] >= 1


def test_an_approved_asset_is_not_found_by_its_draft_revisions_file_name(api, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.factories import png_bytes

    asset = make_asset(people["editor"], title="Lighthouse", approved=True)
    api["editor"].post(f"/api/v1/assets/{asset.uid}/versions/",
                       {"file": SimpleUploadedFile("zanzibar-retouch.png", png_bytes())}, format="multipart")
    assert found(api["viewer"], q="zanzibar")["count"] == 0
    assert found(api["viewer"], q="lighthouse")["count"] == 1


def test_an_upload_writes_its_index_row_once_and_complete(people):
    """Ingest saves the asset, its version and the asset again in one transaction: one index write, holding all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_collection, png_bytes

    folder = make_collection("Harbour")
    with CaptureQueriesContext(connection) as ctx:
        asset = asset_ingest(fileobj=io.BytesIO(png_bytes()), filename="dusk.png", actor=None,
                             collection=folder, title="Lighthouse at dusk")
    for table in ("assets_searchdocument", "assets_searchtext"):
        assert sum(q["sql"].startswith(f'INSERT INTO "{table}"') for q in ctx.captured_queries) == 1
    assert SearchDocument.objects.get(asset=asset).collection_id == folder.pk
    text = SearchText.objects.get(asset=asset)
    assert text.title == "lighthouse at dusk" and "dusk png" in text.other


def test_a_coalesced_block_that_fails_writes_no_index_row(people):
    from django.db import transaction

    from search import index

    asset = make_asset(people["admin"], title="Before")
    with pytest.raises(RuntimeError), transaction.atomic(), index.coalesced():
        Asset.objects.filter(pk=asset.pk).update(title="After")
        index.refresh([asset.pk])
        raise RuntimeError("the writer failed")
    assert SearchText.objects.get(asset=asset).title == "before"


def test_term_links_come_with_the_api_list_and_the_csv_export(api, web, library_of):
    """The list page does not load term links; the readers that show or export them do (selectors.with_terms)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert [t["label"] for t in found(api["viewer"], q="felines")["results"][0]["terms"]] == ["Cats"]
    client = web("viewer")
    with CaptureQueriesContext(connection) as one:
        exported = client.get("/assets/metadata.csv", {"q": "harbour"})
    assert exported.status_code == 200
    assert "https://vocab.test/Cats" in exported.content.decode()
    for asset in (library_of["run"], library_of["trail"]):  # more tagged rows, the same number of queries
        services.asset_update(asset=asset, actor=None, changes={"description": "by the harbour"})
    with CaptureQueriesContext(connection) as three:
        assert client.get("/assets/metadata.csv", {"q": "harbour"}).content.decode().count("vocab.test") == 3
    assert len(three) == len(one)
