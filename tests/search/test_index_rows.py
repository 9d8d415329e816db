"""A viewer's search answered by index rows alone (AssetFilter.result_ids on PostgreSQL) finds the very
rows, in the very order, that the search over the assets finds; and the index row's copies follow the
asset and its approved version."""
from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import Role
from assets import selectors, services
from assets.models import Asset
from dam import request_memo
from ingest.services import asset_ingest, version_ingest
from search import expansion, facets, index
from search.filters import AssetFilter
from search.models import SearchDocument
from search.selectors import facets_for
from taxonomy.models import Term, Vocabulary
from tests.factories import approve_for_test, make_collection, make_term, make_user, png_bytes

ON_INDEX_ROWS = connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def fresh_vocabulary_cache(db):
    expansion.invalidate()
    yield
    expansion.invalidate()


def revise(asset, size, filename="next.png"):
    return version_ingest(asset=asset, fileobj=io.BytesIO(png_bytes(size=size)), filename=filename,
                          actor=None)


@pytest.fixture
def harbour(people):
    """Assets that all match "harbour", differing in every fact a viewer's filters test."""
    seen, unseen = make_collection("Seen"), make_collection("Unseen")
    reader = make_user("reader", Role.VIEWER)
    services.collection_grant(collection=seen, level="view", actor=None, user=reader)
    owner = people["brand_manager"]
    now = timezone.now()

    def add(title, *, size=(64, 48), approved=True, collection=seen, **changes):
        asset = asset_ingest(fileobj=io.BytesIO(png_bytes(size=size)), filename=f"{title}.png",
                             actor=None, collection=collection, title=title)
        asset.owner = owner
        asset.save(update_fields=["owner"])
        if approved:
            approve_for_test(asset)
        if changes:
            services.asset_update(asset=asset, actor=None, changes=changes)
        return asset

    a = {
        "wide": add("Harbour wide"),
        "tall": add("Harbour tall", size=(48, 64)),
        "square": add("Harbour square", size=(50, 50)),
        "revised": add("Harbour revised"),  # approved wide, then a tall draft revision viewers must not see
        "expiring": add("Harbour expiring", rights_expire_at=now + timedelta(days=10)),
        "embargoed": add("Harbour embargoed", embargo_until=now + timedelta(days=3)),
        "expired": add("Harbour expired", rights_expire_at=now - timedelta(days=1)),
        "draft": add("Harbour draft", approved=False),
        "unseen": add("Harbour elsewhere", collection=unseen),
        "archived": add("Harbour archived"),
        "in the description": add("Boats", description="moored in the harbour"),
        "below": add("Harbour below", collection=make_collection("Sub", parent=seen)),
    }
    revise(a["revised"], (30, 60))
    own = asset_ingest(fileobj=io.BytesIO(png_bytes()), filename="own.png", actor=None, collection=seen,
                       title="Harbour of my own")  # the reader's own draft: they see it, unapproved
    own.owner = reader
    own.save(update_fields=["owner"])
    a["own"] = own
    tall = a["tall"].approved_version
    tall.camera_make, tall.camera_model = "Canon", "EOS R5"
    tall.captured_on = timezone.now().date() - timedelta(days=400)
    tall.save(update_fields=["camera_make", "camera_model", "captured_on"])
    a["archived"].archived_at = now
    a["archived"].save(update_fields=["archived_at"])
    return {"assets": a, "reader": reader, "seen": seen}


def without_own_work(harbour):
    """The reader as a plain viewer: their own draft handed to its folder's owner."""
    Asset.objects.filter(owner=harbour["reader"]).update(owner=harbour["assets"]["wide"].owner)


def search(user, index_scope=selectors.LIVE, **params):
    data = QueryDict(mutable=True)
    for key, value in params.items():
        data.setlist(key, [str(value)])
    filterset = AssetFilter(data, queryset=selectors.live_assets_visible_to(user),
                            collections=selectors.collections_visible_to(user), request=SimpleNamespace(user=user),
                            index_scope=index_scope)
    assert filterset.is_valid(), filterset.errors
    return filterset


def both_ways(user, **params):
    """The result ids as a page reads them, and as the search over the assets orders them."""
    with request_memo.scope():
        filterset = search(user, **params)
        ids = filterset.result_ids()
        return ids.model, list(ids), list(filterset.qs.values_list("pk", flat=True))


VIEWER_SEARCHES = [
    {}, {"type": "image"}, {"type": "video"},
    {"orientation": "landscape"}, {"orientation": "portrait"}, {"orientation": "square"},
    {"make": "Canon"}, {"make": "Canon", "camera_model": "EOS R5"}, {"camera_model": "EOS 5D"},
    {"captured_before": "2099-01-01"}, {"captured_after": "2099-01-01"},
    {"rights": "valid"}, {"rights": "expiring"}, {"uploaded": "7d"}, {"uploaded": "older"},
    {"uploaded_after": "2000-01-01", "uploaded_before": "2099-12-31"}, {"uploaded_after": "2099-01-01"},
    {"uploaded_after": "0001-01-01", "uploaded_before": "9999-12-31"}, {"uploaded_before": "0001-01-01"},
    {"uploaded_after": "9999-12-31"},
    {"file_type": "image/png"}, {"file_type": "image/jpeg"}, {"color": "#ff0000"},
    {"type": "image", "orientation": "landscape", "rights": "valid"},
]


@pytest.mark.parametrize("params", VIEWER_SEARCHES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "q")
@pytest.mark.parametrize("q", ["harbour", "harb boats"])
def test_index_rows_find_what_the_assets_find_in_the_same_order(harbour, people, q, params):
    for user in (harbour["reader"], people["viewer"]):
        model, ids, expected = both_ways(user, q=q, **params)
        assert ids == expected
        assert model is (SearchDocument if ON_INDEX_ROWS else Asset)


@pytest.mark.parametrize("params", [{"status": "draft"}, {"status": "approved"}, {"status": "in_review"},
                                    {"status": "draft", "orientation": "landscape"}, {"orientation": "landscape"},
                                    {"file_type": "image/png"}],
                         ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_a_reader_with_work_of_their_own_is_answered_by_index_rows_too(harbour, params):
    """Their own rows read their own assets' current versions; the rest stays on the index rows."""
    model, ids, expected = both_ways(harbour["reader"], q="harbour", **params)
    assert ids == expected
    assert model is (SearchDocument if ON_INDEX_ROWS else Asset)
    with request_memo.scope():
        counted = facets_for(search(harbour["reader"], q="harbour", **params), harbour["reader"])
    states = {v["value"]: v["count"] for v in counted["status"]["values"]}
    assert sum(states.values()) == len(ids)  # the review-state facet counts exactly the results
    if "status" in params and ids:
        assert states == {params["status"]: len(ids)}


def test_what_the_reader_sees(harbour):
    a, reader = harbour["assets"], harbour["reader"]
    _, ids, _ = both_ways(reader, q="harbour")
    assert set(ids) == {a[n].pk for n in ("wide", "tall", "square", "revised", "expiring", "in the description",
                                           "below", "own")}
    # Facts come from the version the reader is shown: the approved one, so the tall draft revision does not
    # make "revised" a portrait; for their own unapproved asset, its current one (what their card shows).
    assert both_ways(reader, q="harbour", orientation="portrait")[1] == [a["tall"].pk]
    assert set(both_ways(reader, q="harbour", orientation="landscape")[1]) == {
        a["wide"].pk, a["revised"].pk, a["expiring"].pk, a["in the description"].pk, a["below"].pk, a["own"].pk}
    assert both_ways(reader, q="harbour", status="draft")[1] == [a["own"].pk]
    assert a["own"].pk in both_ways(reader, q="harbour", type="image")[1]
    assert both_ways(reader, q="harbour", rights="expiring")[1] == [a["expiring"].pk]
    assert both_ways(reader, q="harbour", collection=harbour["seen"].pk)[1] == ids


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin"])
def test_uploaded_from_and_until_are_whole_days_in_the_current_time_zone(harbour, zone):
    """Half past midnight in Berlin on 11 March is still 10 March in UTC: each zone counts its own day."""
    wide = harbour["assets"]["wide"]
    uploaded = datetime(2026, 3, 10, 23, 30, tzinfo=UTC)
    Asset.objects.filter(pk=wide.pk).update(created_at=uploaded)
    index.reindex_assets([wide.pk])
    day = uploaded.astimezone(ZoneInfo(zone)).date()
    with timezone.override(zone):
        def found(**dates):
            _, ids, expected = both_ways(harbour["reader"], q="harbour", **dates)
            assert ids == expected
            return wide.pk in ids
        assert found(uploaded_after=day, uploaded_before=day)
        assert not found(uploaded_after=day + timedelta(days=1))
        assert not found(uploaded_before=day - timedelta(days=1))


def test_approving_a_revision_moves_its_facts_onto_the_index_row(harbour):
    a, reader = harbour["assets"], harbour["reader"]
    a["revised"].refresh_from_db()  # its current version is the tall revision
    approve_for_test(a["revised"])
    row = SearchDocument.objects.get(asset=a["revised"])
    assert (row.approved_width, row.approved_height) == (30, 60)
    model, ids, expected = both_ways(reader, q="harbour", orientation="portrait")
    assert ids == expected and set(ids) == {a["tall"].pk, a["revised"].pk}


@pytest.mark.parametrize("params", [
    {"q": "harbour", "status": "approved"},       # a review state: only the assets know it
    {"q": "harbour", "ordering": "-created"},     # ranked by the index rows only by relevance
    {"type": "image"},                            # no words: nothing is searched on index rows
])
def test_searches_the_index_rows_cannot_answer_alone_read_their_ids_from_the_assets(harbour, params):
    without_own_work(harbour)  # (with work of their own, a review state is read from their own assets on rows)
    model, ids, expected = both_ways(harbour["reader"], **params)
    assert ids == expected
    assert model is Asset


def test_those_who_see_drafts_search_the_assets(harbour, people):
    for persona in ("editor", "admin"):
        model, ids, expected = both_ways(people[persona], q="harbour", orientation="portrait")
        assert model is Asset and ids == expected
    assert harbour["assets"]["revised"].pk in both_ways(people["admin"], q="harbour", orientation="portrait")[1]


def test_the_list_page_and_the_api_page_through_index_rows(harbour, client, people):
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(harbour["reader"])
    pages = [api.get("/api/v1/assets/", {"q": "harbour", "page_size": 2, "page": n, "facets": 0}).json()
             for n in (1, 2, 3, 4)]
    assert pages[0]["count"] == 8
    assert [len(p["results"]) for p in pages] == [2, 2, 2, 2]
    listed = [row["uid"] for p in pages for row in p["results"]]
    _, ids, _ = both_ways(harbour["reader"], q="harbour")
    uids = dict(Asset.objects.values_list("pk", "uid"))
    assert listed == [str(uids[pk]) for pk in ids]
    client.force_login(harbour["reader"])
    page = client.get("/assets/", {"q": "harbour", "orientation": "portrait"})
    assert [asset.pk for asset in page.context["assets"]] == [harbour["assets"]["tall"].pk]


@pytest.fixture
def places(harbour):
    """A hierarchy tagged on the harbour assets, some of which the reader cannot see: Places > Coast >
    Harbours, and Boats beside it."""
    vocabulary = Vocabulary.objects.create(uri="https://places.test/", title="Places")
    top = make_term(vocabulary, "Places")
    coast = make_term(vocabulary, "Coast", top)
    harbours, boats = make_term(vocabulary, "Harbours", coast), make_term(vocabulary, "Boats")
    a = harbour["assets"]
    for name, terms in {"wide": [harbours], "tall": [coast], "square": [harbours, coast, boats], "below": [harbours],
                        "in the description": [boats], "unseen": [harbours], "draft": [coast],
                        "expired": [top]}.items():
        a[name].terms.add(*terms)  # through the m2m, as tagging does: the index rows follow
    patches = {"wide": [("blue", 0.6), ("red", 0.3)], "tall": [("red", 0.7)],
               # two patches of one family count once; a patch below MIN_SHARE not at all
               "square": [("blue", 0.5), ("blue", 0.3), ("green", 0.01)], "unseen": [("green", 0.9)]}
    for name, colours in patches.items():
        version = a[name].approved_version
        version.dominant_colors = [{"hex": "#000000", "share": share, "lab": [50.0, 0.0, 0.0], "family": family}
                                   for family, share in colours]
        version.save(update_fields=["dominant_colors"])
    index.reindex_assets([a[name].pk for name in patches])
    return {"Places": top, "Coast": coast, "Harbours": harbours, "Boats": boats}


@pytest.mark.parametrize("folded", [True, False], ids=["rollup in the facet statement", "rollup on its own"])
@pytest.mark.parametrize("params", [{"q": "harbour"}, {"q": "harbour", "orientation": "landscape"},
                                    {"q": "harb", "type": "image", "rights": "valid", "make": "Canon"},
                                    {"q": "harbour", "collection": "seen"}, {"q": "coast"}])
def test_facets_from_index_rows_equal_facets_from_the_assets(harbour, places, params, folded, monkeypatch):
    """Term, broader-term and colour counts come from the keys on the index rows (folded into the one
    facet statement, or, past MAX_FOLDED_PAIRS, from a second one) and equal those from the links."""
    if not folded:
        monkeypatch.setattr(facets, "MAX_FOLDED_PAIRS", 0)
    reader = harbour["reader"]
    params = {k: harbour["seen"].pk if v == "seen" else v for k, v in params.items()}
    with request_memo.scope():
        on_rows = search(reader, **params)
        on_assets = search(reader, index_scope=None, **params)
        assert (on_rows.matched_index_rows() is not None) == ON_INDEX_ROWS
        assert on_assets.matched_index_rows() is None
        visible = selectors.collections_visible_to(reader)
        with CaptureQueriesContext(connection) as statements:
            counted = facets.compute(on_rows, visible)
        assert counted == facets.compute(on_assets, visible)
        assert on_rows.matched_count == on_assets.matched_count == len(on_assets.qs)
    if ON_INDEX_ROWS:
        matches = [q["sql"] for q in statements.captured_queries if q["sql"].startswith("WITH m AS")]
        assert len(matches) == (1 if folded else 2)
    if params == {"q": "harbour"}:
        terms = {v["label"]: v["count"] for group in counted["term"]["vocabularies"] for v in group["values"]}
        # Places rolls up Coast and Harbours, each asset once (square carries two of its terms); the reader's
        # unseen, draft and expired assets count nowhere.
        assert terms == {"Places": 4, "Coast": 4, "Harbours": 3, "Boats": 2}
        assert {v["value"]: v["count"] for v in counted["color_family"]["values"]} == {"blue": 2, "red": 2}
    counted = facets_for(search(reader, q="harbour"), reader)
    folders = {v["label"]: v["count"] for v in counted["collection"]["values"]}
    assert folders["Seen"] == 8 and folders["Sub"] == 1  # a folder counts what its sub-folders hold


def bitmap_plan(rows) -> str:
    """The plan of a query on index rows, bitmap scans only, so that on a table this small the planner
    still shows which index it can use."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
        return rows.explain()


def index_cond_of(plan: str, index_name: str) -> str:
    """The line under the first scan of index_name: its Index Cond."""
    assert index_name in plan, plan
    line = plan.split(index_name, 1)[1].split("\n")[1]
    assert "Index Cond" in line, plan
    return line


@pytest.mark.skipif(not ON_INDEX_ROWS, reason="SQLite searches its FTS5 table, not these index rows")
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_a_viewers_orientation_type_and_upload_time_are_read_inside_the_folder_index(harbour, orientation):
    """The folder index holds the two comparisons orientation_q writes, the type and the upload time, so
    that PostgreSQL leaves out the rows a viewer's filters reject inside the folder scan
    (SearchDocument.Meta). Changing how orientation_q is written would silently lose that: the plan
    shows it."""
    # For a plain viewer: someone with work of their own has their own rows' facts read from their assets.
    without_own_work(harbour)
    with request_memo.scope():
        rows = search(harbour["reader"], q="harbour", type="image", orientation=orientation,
                      uploaded="30d").matched_index_rows()
        assert rows is not None
        plan = bitmap_plan(rows)
    index_cond = index_cond_of(plan, "searchdocument_folder_idx")
    wide, tall = "(approved_width > approved_height)", "(approved_height > approved_width)"
    assert (wide if orientation == "landscape" else tall) in index_cond, plan
    assert "asset_type" in index_cond and "created_at" in index_cond, plan


@pytest.mark.skipif(not ON_INDEX_ROWS, reason="SQLite searches its FTS5 table, not these index rows")
def test_a_word_a_term_and_a_colour_family_are_keys_of_one_index_scan(harbour):
    """The text, the term keys and the colour families share one GIN index (migration 0015), so that a
    frequent family or a broad term is skipped through to the few rows a word matches instead of being
    read whole into a bitmap of its own."""
    vocabulary = Vocabulary.objects.create(uri="https://vocab.test/", title="Subjects")
    boats = Term.objects.create(vocabulary=vocabulary, uri="https://vocab.test/boats", label="Boats")
    with request_memo.scope():
        filterset = search(harbour["reader"], q="harbour", term=boats.pk, color_family="blue")
        assert filterset.matched_index_rows() is not None
        # The search's own conditions, without the viewer's folders: on a table this small the planner
        # would answer from the folder index alone.
        plan = bitmap_plan(SearchDocument.objects.filter(*filterset.index_conditions))
    scans = [line for line in plan.splitlines() if "Bitmap Index Scan" in line and "_gin" in line]
    assert len(scans) == 1 and "assets_searchdocument_match_gin" in scans[0], plan
    index_cond = index_cond_of(plan, "assets_searchdocument_match_gin")
    assert "@@" in index_cond and "terms ?| " in index_cond and "color_families ? " in index_cond, plan
