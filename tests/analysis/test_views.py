"""Content analysis's screens: the asset page's panel, the decisions taken there and in the queue, the queue, the
settings page, the player's stream and the vocabulary's threshold; each against the role matrix.

Analysis records and suggestions are made directly: no model runs here.
"""
from __future__ import annotations

import importlib

import pytest

from accounts.models import AuditEvent
from analysis.analysers import registry
from analysis.models import AnalysisRun, LabelMapping, TermSuggestion
from assets.models import AssetTerm
from taxonomy.models import Vocabulary
from tests.factories import make_asset, make_term

pytestmark = pytest.mark.django_db

ROLES = ["admin", "librarian", "editor", "contributor", "viewer"]


class _Placeholder:
    """Stands in for an analyser whose module is not in this checkout, so the pages can name it."""

    kinds = frozenset({"image"})
    timeout = 60

    def __init__(self, slug: str) -> None:
        self.slug, self.title = slug, slug.capitalize()


@pytest.fixture(autouse=True)
def analyser_classes(monkeypatch):
    real = registry.analyser_class

    def analyser_class(slug):
        try:
            return real(slug)
        except ImportError:
            return _Placeholder(slug)

    importlib.invalidate_caches()
    monkeypatch.setattr(registry, "analyser_class", analyser_class)


@pytest.fixture
def vocabulary():
    return Vocabulary.objects.create(uri="https://vocab.test/subjects/", title="Subjects", auto_tag_threshold=0.9)


@pytest.fixture
def photo(people):
    return make_asset(people["editor"], title="Beach photo", approved=True)


def suggest(asset, term, *, status=TermSuggestion.Status.PENDING, confidence=0.72, label=None, analyser="labels"):
    suggestion = TermSuggestion.objects.create(asset=asset, version=asset.current_version, term=term,
                                               analyser=analyser, raw_label=label or term.label.lower(),
                                               confidence=confidence, status=status)
    if status == TermSuggestion.Status.APPLIED:
        AssetTerm.objects.create(asset=asset, term=term, source=AssetTerm.Source.AUTO, confidence=confidence)
    return suggestion


def run(asset, analyser, status=AnalysisRun.Status.DONE, **fields):
    return AnalysisRun.objects.create(version=asset.current_version, analyser=analyser, status=status, **fields)


def page_of(client, asset) -> str:
    response = client.get(asset.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


# --- the asset page's panel -----------------------------------------------------------------------------------

def test_panel_says_analysis_is_off_in_a_sentence_and_links_admins_to_the_settings(web, photo):
    admin_page = page_of(web("admin"), photo)
    assert "Content analysis is off on this server." in admin_page
    assert 'href="/settings/analysis/"' in admin_page
    viewer_page = page_of(web("viewer"), photo)
    assert "Content analysis is off on this server." in viewer_page
    assert 'href="/settings/analysis/"' not in viewer_page
    assert "Analyse again" not in viewer_page


def test_panel_shows_each_record_with_its_reason_sentence(web, photo):
    reason = "The picture has 120 megapixels; content analysis reads up to 80."
    run(photo, "ocr", AnalysisRun.Status.SKIPPED, reason=reason)
    run(photo, "labels", duration_ms=420, model_name="EfficientNet-Lite0", model_version="0.1.0",
        labels=[{"text": "seashore", "confidence": 0.83}])
    run(photo, "faces", AnalysisRun.Status.QUEUED)
    page = page_of(web("viewer"), photo)
    assert reason in page and "Skipped" in page
    assert "in 0.4 s with EfficientNet-Lite0 0.1.0" in page and "seashore" in page and "83%" in page
    assert "Waiting" in page and "for a worker" in page
    assert "AnalysisRun" not in page and "skipped</span>" not in page


def test_found_text_barcodes_and_products_are_shown_with_links(web, people, photo):
    run(photo, "ocr", text="SUMMER SALE\n-30% on shoes\nUntil Sunday\nShop 12", data={"lines": []})
    product = make_asset(people["editor"], title="Sandal SKU-778", approved=True)
    run(photo, "barcodes", text="4006381333931", data={"codes": [{"value": "4006381333931", "format": "EAN-13"}]})
    from analysis.models import ProductMatch
    ProductMatch.objects.create(asset=photo, version=photo.current_version, code="4006381333931",
                                code_format="EAN-13", field_key="gtin", product=product)
    page = page_of(web("viewer"), photo)
    assert "4 lines of text" in page and "SUMMER SALE" in page and "<details" in page
    assert "Until Sunday" in page.split("found-all")[0] and "Shop 12" not in page.split("found-all")[0]
    assert "4006381333931" in page and "EAN-13" in page
    assert f'href="{product.get_absolute_url()}"' in page and "Sandal SKU-778" in page
    product_page = page_of(web("viewer"), product)
    assert "Seen in" in product_page and f'href="{photo.get_absolute_url()}"' in product_page


def test_face_boxes_are_drawn_only_for_people_who_may_edit(web, photo):
    run(photo, "faces", data={"count": 2, "faces": [{"box": [0.1, 0.2, 0.3, 0.5], "confidence": 0.97},
                                                   {"box": [0.6, 0.1, 0.8, 0.4], "confidence": 0.9}]})
    from assets.models import Rendition
    Rendition.objects.update_or_create(version=photo.current_version, preset="preview", variant="",
                                       defaults={"status": Rendition.Status.READY})
    viewer = page_of(web("viewer"), photo)
    assert "2 faces" in viewer and "face-box" not in viewer
    editor = page_of(web("editor"), photo)
    assert "2 faces" in editor and editor.count('class="face-box"') == 2
    assert "left:10.00%;top:20.00%;width:20.00%;height:30.00%" in editor


def test_transcript_lines_carry_their_time_and_seek_the_panels_player(web, photo):
    run(photo, "transcript", text="Welcome. Our new range.", data={"segments": [
        {"start": 0.0, "end": 2.5, "text": "Welcome."}, {"start": 72.4, "end": 75.0, "text": "Our new range."}]})
    page = page_of(web("viewer"), photo)
    assert 'data-start="72.4"' in page and ">1:12</button>" in page and "Our new range." in page
    assert "js/analysis.js" in page
    # A picture has no recording: no player is offered for it.
    assert "data-analysis-player" not in page


def test_suggestions_are_for_those_who_describe_assets(web, people, photo, vocabulary):
    suggest(photo, make_term(vocabulary, "Beach"))
    seen = {}
    for role in ROLES:
        seen[role] = "Suggested terms" in page_of(web(role), photo)
    assert seen == {"admin": True, "librarian": True, "editor": True, "contributor": False, "viewer": False}
    editor = page_of(web("editor"), photo).split('id="content-analysis"')[1]
    assert ">Accept</button>" in editor and ">Accept for all assets</button>" in editor and ">Reject</button>" in editor
    assert "Map to another term" in editor and ">Confirm</button>" not in editor


def test_automatic_terms_look_different_from_human_ones(web, photo, vocabulary):
    suggest(photo, make_term(vocabulary, "Sea"), status=TermSuggestion.Status.APPLIED, confidence=0.91)
    AssetTerm.objects.create(asset=photo, term=make_term(vocabulary, "Holiday"))
    page = page_of(web("viewer"), photo)
    facts = page.split('<h2>Terms</h2>')[1].split("</div>")[0]
    assert 'class="chip auto"' in facts and "auto 91%" in facts
    holiday = facts.split("Holiday")[0].rsplit("<a", 1)[1]
    assert "auto" not in holiday and "Given by a person" in holiday
    assert "were put on by content analysis" in page
    panel = page_of(web("editor"), photo).split('id="content-analysis"')[1]
    assert ">Confirm</button>" in panel and ">Reject</button>" in panel and "Accept for all" not in panel


# --- the decisions ----------------------------------------------------------------------------------------------

def test_accept_puts_a_human_term_on_and_says_so(web, photo, vocabulary):
    suggestion = suggest(photo, make_term(vocabulary, "Beach"))
    response = web("editor").post(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/accept/", follow=True)
    link = AssetTerm.objects.get(asset=photo, term=suggestion.term)
    assert link.source == AssetTerm.Source.HUMAN
    suggestion.refresh_from_db()
    assert suggestion.status == TermSuggestion.Status.ACCEPTED
    assert response.redirect_chain[-1][0] == f"{photo.get_absolute_url()}#content-analysis"
    assert "“Beach” is now a term of “Beach photo”." in response.content.decode()


def test_reject_takes_the_automatic_term_off(web, photo, vocabulary):
    suggestion = suggest(photo, make_term(vocabulary, "Sea"), status=TermSuggestion.Status.APPLIED, confidence=0.95)
    web("librarian").post(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/reject/")
    assert not AssetTerm.objects.filter(asset=photo, term=suggestion.term).exists()
    suggestion.refresh_from_db()
    assert suggestion.status == TermSuggestion.Status.REJECTED
    assert AuditEvent.objects.filter(verb="analysis.suggestion.rejected").exists()


def test_map_to_another_term_learns_the_label(web, photo, vocabulary):
    suggestion = suggest(photo, make_term(vocabulary, "Seal"), label="sea lion")
    meant = make_term(vocabulary, "Sea lion")
    response = web("librarian").post(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/map/",
                                     {"term": meant.pk}, follow=True)
    assert LabelMapping.objects.get(normalized_label="sea lion").term == meant
    assert AssetTerm.objects.get(asset=photo, term=meant).source == AssetTerm.Source.HUMAN
    assert "“sea lion” will be suggested as “Sea lion” from now on" in response.content.decode()


def test_map_without_a_term_says_what_to_do_and_changes_nothing(web, photo, vocabulary):
    suggestion = suggest(photo, make_term(vocabulary, "Seal"))
    response = web("librarian").post(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/map/", {},
                                     follow=True)
    assert "Choose the term it means from the list." in response.content.decode()
    suggestion.refresh_from_db()
    assert suggestion.status == TermSuggestion.Status.PENDING and not LabelMapping.objects.exists()


def test_accept_for_all_accepts_on_every_waiting_asset(web, people, vocabulary):
    term = make_term(vocabulary, "Shoe")
    assets = [make_asset(people["editor"], title=f"Shoe {n}", approved=True) for n in range(3)]
    rows = [suggest(asset, term, confidence=0.5 + n / 10) for n, asset in enumerate(assets)]
    response = web("librarian").post(f"/analysis/assets/{assets[0].uid}/suggestions/{rows[0].pk}/accept-all/",
                                     {"next": f"/analysis/suggestions/terms/{term.pk}/"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/analysis/suggestions/terms/{term.pk}/"
    assert "“Shoe” was accepted on 3 assets." in response.content.decode()
    assert AssetTerm.objects.filter(term=term, source=AssetTerm.Source.HUMAN).count() == 3
    assert not TermSuggestion.objects.filter(status=TermSuggestion.Status.PENDING).exists()


@pytest.mark.parametrize(("role", "status"), [("viewer", 404), ("contributor", 404), ("editor", 302),
                                              ("librarian", 302), ("admin", 302)])
def test_who_may_decide(web, photo, vocabulary, role, status):
    suggestion = suggest(photo, make_term(vocabulary, "Beach"))
    response = web(role).post(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/reject/")
    assert response.status_code == status
    suggestion.refresh_from_db()
    assert (suggestion.status == TermSuggestion.Status.REJECTED) == (status == 302)


def test_decisions_are_posts_only(web, photo, vocabulary):
    suggestion = suggest(photo, make_term(vocabulary, "Beach"))
    assert web("editor").get(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/accept/").status_code == 405


def test_a_foreign_next_is_not_followed(web, photo, vocabulary):
    suggestion = suggest(photo, make_term(vocabulary, "Beach"))
    response = web("editor").post(f"/analysis/assets/{photo.uid}/suggestions/{suggestion.pk}/accept/",
                                  {"next": "https://elsewhere.example/"})
    assert response["Location"] == f"{photo.get_absolute_url()}#content-analysis"


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("contributor", 403), ("editor", 302),
                                              ("admin", 302)])
def test_analyse_again_is_for_those_who_may_edit(web, photo, role, status):
    response = web(role).post(f"/analysis/assets/{photo.uid}/analyse/", follow=status == 302)
    if status == 302:
        assert "No analyser runs on this kind of file here" in response.content.decode()
        assert AuditEvent.objects.filter(verb="analysis.requested").count() == 1
    else:
        assert response.status_code == status


# --- the queue ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("contributor", 403), ("editor", 200),
                                              ("librarian", 200), ("admin", 200)])
def test_queue_role_matrix(web, role, status):
    assert web(role).get("/analysis/suggestions/").status_code == status


def test_sidebar_offers_the_queue_to_curators_and_the_settings_to_admins(web):
    librarian = web("librarian").get("/").content.decode()
    assert 'href="/analysis/suggestions/"' in librarian and 'href="/settings/analysis/"' not in librarian
    admin = web("admin").get("/").content.decode()
    assert 'href="/analysis/suggestions/"' in admin and 'href="/settings/analysis/"' in admin
    assert 'href="/analysis/suggestions/"' not in web("viewer").get("/").content.decode()


def test_queue_lists_terms_by_how_many_assets_wait_and_filters(web, people, vocabulary):
    places = Vocabulary.objects.create(uri="https://vocab.test/places/", title="Places")
    shoe, coast = make_term(vocabulary, "Shoe"), make_term(places, "Coast")
    for n in range(2):
        suggest(make_asset(people["editor"], title=f"Shoe {n}", approved=True), shoe, confidence=0.6 + n / 10)
    suggest(make_asset(people["editor"], title="Cliff", approved=True), coast, confidence=0.55, analyser="ocr")
    page = web("librarian").get("/analysis/suggestions/").content.decode()
    assert page.index("Shoe") < page.index("Coast") and "70%" in page and "55%" in page
    only_places = web("librarian").get(f"/analysis/suggestions/?vocabulary={places.pk}").content.decode()
    assert "Coast" in only_places and "Shoe" not in only_places
    only_ocr = web("librarian").get("/analysis/suggestions/?analyser=ocr").content.decode()
    assert "Coast" in only_ocr and "Shoe" not in only_ocr
    accepted = web("librarian").get("/analysis/suggestions/?status=accepted").content.decode()
    assert "No suggested terms accepted" in accepted


def test_a_terms_page_shows_its_waiting_assets_with_thumbnails_and_buttons(web, people, vocabulary):
    shoe = make_term(vocabulary, "Shoe")
    assets = [make_asset(people["editor"], title=f"Shoe {n}", approved=True) for n in range(2)]
    for asset in assets:
        suggest(asset, shoe)
    page = web("librarian").get(f"/analysis/suggestions/terms/{shoe.pk}/").content.decode()
    assert "Shoe 0" in page and "Shoe 1" in page and "thumb.jpg" in page
    assert "Accept “Shoe” for all" in page and page.count(">Reject</button>") == 2
    assert web("viewer").get(f"/analysis/suggestions/terms/{shoe.pk}/").status_code == 403


# --- the settings page and the threshold ----------------------------------------------------------------------

@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("contributor", 403), ("editor", 403),
                                              ("librarian", 403), ("admin", 200)])
def test_settings_page_is_for_admins(web, role, status):
    assert web(role).get("/settings/analysis/").status_code == status


def test_settings_page_says_why_each_analyser_is_off_and_lists_the_thresholds(web, vocabulary, photo):
    Vocabulary.objects.create(uri="https://vocab.test/people/", title="People", auto_tag_threshold=None)
    run(photo, "ocr", AnalysisRun.Status.FAILED, reason="The analyser failed on this file: broken.")
    page = web("admin").get("/settings/analysis/").content.decode()
    assert "Content analysis is off on this server" in page
    assert page.count("Off: not in DAM_ANALYSERS.") == len(registry.ANALYSERS)
    assert "Failed</span> 1" in page
    assert "90% confidence or more" in page and "Never: every suggestion waits for review" in page
    assert f'href="/vocabulary/{vocabulary.pk}/edit/"' in page


def test_the_threshold_is_edited_with_the_vocabulary(web, vocabulary):
    client = web("librarian")
    bad = client.post(f"/vocabulary/{vocabulary.pk}/edit/", {"title": "Subjects", "language": "en",
                                                             "auto_tag_threshold": "1.5"})
    assert bad.status_code == 400 and 'class="field has-error' in bad.content.decode()
    client.post(f"/vocabulary/{vocabulary.pk}/edit/", {"title": "Subjects", "language": "en",
                                                       "auto_tag_threshold": "0.75"})
    vocabulary.refresh_from_db()
    assert vocabulary.auto_tag_threshold == 0.75
    client.post(f"/vocabulary/{vocabulary.pk}/edit/", {"title": "Subjects", "language": "en",
                                                       "auto_tag_threshold": ""})
    vocabulary.refresh_from_db()
    assert vocabulary.auto_tag_threshold is None
    assert web("viewer").get(f"/vocabulary/{vocabulary.pk}/edit/").status_code == 403


def test_the_api_shows_and_changes_the_threshold(api, vocabulary):
    assert api["viewer"].get(f"/api/v1/vocabularies/{vocabulary.pk}/").json()["auto_tag_threshold"] == 0.9
    response = api["librarian"].patch(f"/api/v1/vocabularies/{vocabulary.pk}/", {"auto_tag_threshold": 0.6},
                                      format="json")
    assert response.status_code == 200 and response.json()["auto_tag_threshold"] == 0.6


# --- the player's stream ----------------------------------------------------------------------------------------

def _wav(seconds: float = 0.5) -> bytes:
    import io
    import wave
    out = io.BytesIO()
    with wave.open(out, "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(8000)
        sound.writeframes(bytes(range(256)) * int(seconds * 8000 * 2 / 256))
    return out.getvalue()


def test_a_recording_plays_with_ranges_for_those_who_may_download_it(web, people):
    data = _wav()
    recording = make_asset(people["editor"], title="Interview", approved=True, data=data, filename="interview.wav")
    assert recording.current_version.mime_type.startswith("audio/")
    run(recording, "transcript", text="Hello.", data={"segments": [{"start": 0.2, "end": 0.4, "text": "Hello."}]})
    page = page_of(web("viewer"), recording)
    assert f'<audio class="analysis-player" data-analysis-player controls preload="metadata" ' \
           f'src="/analysis/assets/{recording.uid}/media/"' in page
    client = web("viewer")
    whole = client.get(f"/analysis/assets/{recording.uid}/media/")
    assert whole.status_code == 200 and b"".join(whole.streaming_content) == data
    assert whole["Accept-Ranges"] == "bytes" and whole["X-Content-Type-Options"] == "nosniff"
    part = client.get(f"/analysis/assets/{recording.uid}/media/", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    tail = client.get(f"/analysis/assets/{recording.uid}/media/", HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]
    outside = client.get(f"/analysis/assets/{recording.uid}/media/", HTTP_RANGE=f"bytes={len(data) + 5}-")
    assert outside.status_code == 416


def test_a_picture_has_no_recording_to_play(web, photo):
    assert web("editor").get(f"/analysis/assets/{photo.uid}/media/").status_code == 404
