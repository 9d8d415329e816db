"""The suggestions API of DESIGN.md (`GET /api/v1/assets/{uid}/suggestions/`, `POST .../{id}/{accept,reject}/`),
mapping, accepting everywhere, the queue and the analysers' state."""
from __future__ import annotations

import pytest

from analysis.mapping import Candidate
from analysis.models import AnalysisRun, LabelMapping, TermSuggestion
from analysis.services.suggestions import suggest
from assets.models import AssetTerm
from taxonomy.models import Vocabulary
from taxonomy.services import term_create
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def terms():
    vocab = Vocabulary.objects.create(uri="https://example.org/v/", title="Subjects", auto_tag_threshold=0.9)
    return {label: term_create(vocabulary=vocab, actor=None, labels=[("pref", "en", label)])
            for label in ("Beach", "Dog", "Cat")}


def _suggested(asset, term, confidence, label="x"):
    suggest(asset=asset, version=asset.current_version,
            found=[Candidate(term.pk, label, "labels", confidence, TermSuggestion.Match.LABEL)])
    return TermSuggestion.objects.get(asset=asset, term=term)


def _url(asset, suggestion=None, action=""):
    base = f"/api/v1/assets/{asset.uid}/suggestions/"
    return f"{base}{suggestion.pk}/{action}/" if suggestion else base


def test_list_gives_term_confidence_and_source(api, terms):
    asset = make_asset(None, approved=True)
    _suggested(asset, terms["Beach"], 0.95, "seashore")
    _suggested(asset, terms["Dog"], 0.4, "golden retriever")
    body = api["librarian"].get(_url(asset)).json()
    assert [(s["term"]["label"], s["confidence"], s["source"], s["status"]) for s in body] == [
        ("Beach", 0.95, "labels", "applied"), ("Dog", 0.4, "labels", "pending")]
    assert body[1]["raw_label"] == "golden retriever"


def test_viewers_see_no_suggestions_and_cannot_decide(api, terms):
    asset = make_asset(None, approved=True)
    suggestion = _suggested(asset, terms["Dog"], 0.4)
    assert api["viewer"].get(_url(asset)).json() == []
    assert api["viewer"].post(_url(asset, suggestion, "accept")).status_code == 404
    assert api["outsider"].get(_url(asset)).status_code == 404


def test_accept_makes_a_human_term_and_reject_removes_the_automatic_one(api, terms, people):
    asset = make_asset(None, approved=True)
    dog = _suggested(asset, terms["Dog"], 0.4)
    beach = _suggested(asset, terms["Beach"], 0.95)
    assert AssetTerm.objects.get(asset=asset, term=terms["Beach"]).source == AssetTerm.Source.AUTO

    response = api["editor"].post(_url(asset, dog, "accept"))
    assert response.status_code == 200, response.content
    assert response.json()["suggestion"]["status"] == "accepted"
    link = AssetTerm.objects.get(asset=asset, term=terms["Dog"])
    assert (link.source, link.added_by) == (AssetTerm.Source.HUMAN, people["editor"])

    assert api["librarian"].post(_url(asset, beach, "reject")).json()["status"] == "rejected"
    assert not AssetTerm.objects.filter(asset=asset, term=terms["Beach"]).exists()


def test_map_to_another_term_is_learnt_for_later_analyses(api, terms):
    asset = make_asset(None, approved=True)
    wrong = _suggested(asset, terms["Dog"], 0.5, "tabby")
    response = api["librarian"].post(_url(asset, wrong, "map"), {"term": terms["Cat"].uri}, format="json")
    assert response.status_code == 200, response.content
    assert AssetTerm.objects.get(asset=asset, term=terms["Cat"]).source == AssetTerm.Source.HUMAN
    assert not AssetTerm.objects.filter(asset=asset, term=terms["Dog"]).exists()
    assert LabelMapping.objects.get(normalized_label="tabby").term == terms["Cat"]

    from analysis.mapping import RawLabel, candidates

    found = candidates([RawLabel("Tabby", 0.7, "labels")], by_meaning=False)
    assert [(c.term_id, c.match) for c in found] == [(terms["Cat"].pk, "learnt")]


def test_map_needs_a_term(api, terms):
    asset = make_asset(None, approved=True)
    suggestion = _suggested(asset, terms["Dog"], 0.5)
    response = api["librarian"].post(_url(asset, suggestion, "map"), {"term": "nope"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["term"] == ["Choose the term this label means (its id or URI)."]


def test_accept_for_all_assets_with_the_same_suggestion(api, terms):
    assets = [make_asset(None, approved=True, title=f"A{i}") for i in range(3)]
    rows = [_suggested(a, terms["Dog"], 0.5) for a in assets]
    response = api["librarian"].post(_url(assets[0], rows[0], "accept"), {"all_assets": True}, format="json")
    assert response.json()["accepted"] == 3
    assert AssetTerm.objects.filter(term=terms["Dog"], source=AssetTerm.Source.HUMAN).count() == 3


def test_queue_groups_waiting_suggestions_by_term(api, terms):
    for i in range(2):
        _suggested(make_asset(None, approved=True, title=f"D{i}"), terms["Dog"], 0.5 + i / 10)
    _suggested(make_asset(None, approved=True), terms["Cat"], 0.3)
    body = api["librarian"].get("/api/v1/suggestions/").json()
    assert [(r["label"], r["assets"], r["best"]) for r in body] == [("Dog", 2, 0.6), ("Cat", 1, 0.3)]
    assert api["librarian"].get("/api/v1/suggestions/", {"status": "maybe"}).status_code == 400
    assert api["viewer"].get("/api/v1/suggestions/").json() == []


def test_analysis_records_of_the_version_shown(api, terms):
    asset = make_asset(None, approved=True)
    AnalysisRun.objects.create(version=asset.current_version, analyser="ocr", status="skipped",
                               reason="The PDF has 2,000 pages; the first 20 were read.")
    body = api["viewer"].get(f"/api/v1/assets/{asset.uid}/analysis/").json()
    assert [(r["analyser"], r["status"], r["reason"]) for r in body] == [
        ("ocr", "skipped", "The PDF has 2,000 pages; the first 20 were read.")]
    assert api["viewer"].post(f"/api/v1/assets/{asset.uid}/analysis/").status_code == 403


def test_analysers_say_why_they_are_off(api):
    body = api["viewer"].get("/api/v1/analysers/").json()
    assert {a["slug"] for a in body} == {"labels", "ocr", "faces", "barcodes", "transcript"}
    # The test settings run no analyser (DAM_ANALYSERS is empty) unless a test switches one on.
    assert all(not a["on"] and a["status"] == "Off: not in DAM_ANALYSERS." for a in body)
