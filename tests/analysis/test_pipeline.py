"""The framework around analysers: records per version, suggestions mapped onto the vocabulary, automatic
terms above the threshold, found text in search, product links, limits and failures (a fake analyser)."""
from __future__ import annotations

import pytest

from analysis.analysers.base import Label, Outcome
from analysis.models import AnalysisRun, ProductMatch, TermSuggestion
from analysis.services import runs
from assets.models import AssetTerm
from taxonomy.models import Vocabulary
from taxonomy.services import term_create
from tests.factories import make_asset, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def vocabulary():
    vocab = Vocabulary.objects.create(uri="https://example.org/subjects/", title="Subjects", auto_tag_threshold=0.8)
    beach = term_create(vocabulary=vocab, actor=None, labels=[
        ("pref", "en", "Beach"), ("alt", "en", "Seashore"), ("pref", "de", "Strand")])
    shoe = term_create(vocabulary=vocab, actor=None, labels=[("pref", "en", "Shoe")])
    return {"vocab": vocab, "beach": beach, "shoe": shoe}


def _upload(fakes, outcome, capture, **kwargs):
    fakes.OUTCOMES["next"] = outcome
    with capture(execute=True):
        asset = make_asset(None, **kwargs)
    return asset


def test_each_new_version_gets_a_record_with_the_model_and_how_long(fake_analyser, django_capture_on_commit_callbacks):
    asset = _upload(fake_analyser, Outcome(text="hello"), django_capture_on_commit_callbacks,
                    data=png_bytes(size=(120, 80)))
    run = AnalysisRun.objects.get(version=asset.current_version, analyser="fake")
    assert run.status == AnalysisRun.Status.DONE
    assert (run.model_name, run.model_version, run.model_sha256) == ("fake-model", "1.0", "0" * 64)
    assert run.duration_ms is not None and run.finished_at >= run.started_at
    assert fake_analyser.CALLS == ["120x80"]  # it read the real file
    assert run.attempts == 1


def test_synonyms_and_other_languages_match_and_high_confidence_applies_an_auto_term(
        fake_analyser, vocabulary, django_capture_on_commit_callbacks):
    outcome = Outcome(labels=[Label("seashore", 0.93), Label("Schuhe", 0.5, also=("shoes",)), Label("zebra", 0.99)])
    asset = _upload(fake_analyser, outcome, django_capture_on_commit_callbacks)
    rows = {s.term.label: s for s in TermSuggestion.objects.filter(asset=asset).select_related("term")}
    assert set(rows) == {"Beach", "Shoe"}  # "zebra" is no term here: no suggestion
    assert rows["Beach"].status == TermSuggestion.Status.APPLIED and rows["Beach"].raw_label == "seashore"
    assert rows["Shoe"].status == TermSuggestion.Status.PENDING  # 0.5 is below the vocabulary's 0.8
    link = AssetTerm.objects.get(asset=asset, term=vocabulary["beach"])
    assert (link.source, link.confidence) == (AssetTerm.Source.AUTO, 0.93)
    assert not AssetTerm.objects.filter(asset=asset, term=vocabulary["shoe"]).exists()


def test_german_label_matches_the_terms_other_language_label(fake_analyser, vocabulary,
                                                              django_capture_on_commit_callbacks):
    asset = _upload(fake_analyser, Outcome(labels=[Label("strand", 0.6)]), django_capture_on_commit_callbacks)
    assert TermSuggestion.objects.get(asset=asset).term == vocabulary["beach"]


def test_a_vocabulary_without_threshold_never_applies(fake_analyser, vocabulary, django_capture_on_commit_callbacks):
    Vocabulary.objects.filter(pk=vocabulary["vocab"].pk).update(auto_tag_threshold=None)
    asset = _upload(fake_analyser, Outcome(labels=[Label("beach", 0.99)]), django_capture_on_commit_callbacks)
    assert TermSuggestion.objects.get(asset=asset).status == TermSuggestion.Status.PENDING
    assert not AssetTerm.objects.filter(asset=asset).exists()


def test_found_text_and_auto_terms_are_searched_and_human_terms_rank_first(
        fake_analyser, vocabulary, api, django_capture_on_commit_callbacks):
    tagged = make_asset(None, title="Untitled too", approved=True)  # older: newest-first would put it last
    AssetTerm.objects.create(asset=tagged, term=vocabulary["beach"], source=AssetTerm.Source.HUMAN)
    photo = _upload(fake_analyser, Outcome(labels=[Label("beach", 0.95)], text="GRAND OPENING SALE 50%"),
                    django_capture_on_commit_callbacks, title="Untitled photo", approved=True)

    def found(q):
        response = api["viewer"].get("/api/v1/assets/", {"q": q, "ordering": "relevance"})
        assert response.status_code == 200, response.content
        return [row["title"] for row in response.json()["results"]]

    assert found("opening") == [photo.title]
    assert found("beach") == [tagged.title, photo.title]


def test_running_twice_changes_nothing_more(fake_analyser, vocabulary, django_capture_on_commit_callbacks):
    asset = _upload(fake_analyser, Outcome(labels=[Label("beach", 0.95)], text="x"), django_capture_on_commit_callbacks)
    run = AnalysisRun.objects.get(version=asset.current_version)
    runs.analysis_run(run_id=run.pk)  # a second delivery of the same job
    assert AnalysisRun.objects.get(pk=run.pk).attempts == 1
    assert TermSuggestion.objects.filter(asset=asset).count() == 1
    assert AssetTerm.objects.filter(asset=asset).count() == 1


def test_a_rejected_term_is_not_suggested_again_for_a_new_version(fake_analyser, vocabulary, people,
                                                                   django_capture_on_commit_callbacks):
    from analysis.services.suggestions import suggestion_reject
    from tests.factories import new_revision

    asset = _upload(fake_analyser, Outcome(labels=[Label("beach", 0.95)]), django_capture_on_commit_callbacks)
    suggestion_reject(suggestion=TermSuggestion.objects.get(asset=asset), actor=people["librarian"])
    assert not AssetTerm.objects.filter(asset=asset).exists()
    with django_capture_on_commit_callbacks(execute=True):
        new_revision(asset, None)
    assert TermSuggestion.objects.get(asset=asset).status == TermSuggestion.Status.REJECTED
    assert not AssetTerm.objects.filter(asset=asset).exists()


def test_an_unreadable_file_is_recorded_as_skipped_with_a_sentence(fake_analyser, django_capture_on_commit_callbacks):
    asset = _upload(fake_analyser, Outcome(), django_capture_on_commit_callbacks)
    version = asset.current_version
    with version.file.storage.open(version.file.name, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n broken")
    runs.analysis_queue(version_id=version.pk, again=True)
    run = AnalysisRun.objects.get(version=version)
    assert run.status == AnalysisRun.Status.SKIPPED
    assert run.reason == "The file cannot be decoded (the picture data in the file is damaged)."


def test_over_the_pixel_limit_is_skipped_before_reading(fake_analyser, settings, django_capture_on_commit_callbacks):
    settings.DAM_ANALYSIS_MAX_MEGAPIXELS = 1
    fake_analyser.OUTCOMES["next"] = Outcome(text="never")
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset(None, data=png_bytes(size=(1200, 1000)))
    run = AnalysisRun.objects.get(version=asset.current_version)
    assert run.status == AnalysisRun.Status.SKIPPED
    assert "1 megapixels" in run.reason or "up to 1" in run.reason
    assert fake_analyser.CALLS == []


def test_a_missing_package_shows_the_analyser_as_off_and_queues_nothing(settings, monkeypatch,
                                                                         django_capture_on_commit_callbacks):
    from analysis import selectors
    from analysis.analysers import registry

    monkeypatch.setitem(registry.ANALYSERS, "fake", "tests.analysis.fakes.FakeAnalyser")
    monkeypatch.setitem(registry.REQUIRES, "fake", ("a_package_nobody_installed",))
    settings.DAM_ANALYSERS = ["fake"]
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset(None)
    assert not AnalysisRun.objects.filter(version=asset.current_version).exists()
    fake = next(a for a in selectors.analysers_overview() if a.slug == "fake")
    assert not fake.on and "not installed (a_package_nobody_installed)" in fake.status_text
    assert not selectors.analysis_on()


def test_a_worker_that_dies_is_tried_once_more_then_failed_with_a_sentence(fake_analyser):
    asset = make_asset(None)  # no on-commit: nothing queued yet
    run = AnalysisRun.objects.create(version=asset.current_version, analyser="fake", status="running",
                                     worker="host:1", attempts=1)
    runs.worker_stopped(worker="host:1", exitcode=-9, timed_out=False)
    run.refresh_from_db()
    # Tried again at once (the test settings run jobs in process), and this time it finished.
    assert run.status in (AnalysisRun.Status.DONE, AnalysisRun.Status.SKIPPED) and run.attempts == 2
    run.status, run.worker, run.attempts = "running", "host:2", 2
    run.save()
    runs.worker_stopped(worker="host:2", exitcode=None, timed_out=True)
    run.refresh_from_db()
    assert run.status == AnalysisRun.Status.FAILED
    assert run.reason == "The analyser took longer than its time limit on this file, 2 times."


def test_a_barcode_links_the_photo_to_the_asset_with_that_sku(fake_analyser, django_capture_on_commit_callbacks):
    fake_analyser.OUTCOMES["next"] = Outcome()
    product = make_asset(None, title="Trail shoe packshot")
    product.metadata = {"sku": "4006381333931"}
    product.save(update_fields=["metadata"])
    from analysis import products

    photo = make_asset(None, title="Lifestyle")
    products.link_products(photo.current_version, [{"format": "EAN-13", "value": "4006381333931"}])
    match = ProductMatch.objects.get(asset=photo)
    assert (match.product, match.field_key, match.code_format) == (product, "sku", "EAN-13")


def test_every_analyser_stops_before_the_queue_would_hand_its_job_out_again(settings):
    from analysis.analysers import registry

    for slug in registry.ANALYSERS:
        assert registry.analyser_class(slug).timeout < settings.Q_CLUSTER["retry"], slug
