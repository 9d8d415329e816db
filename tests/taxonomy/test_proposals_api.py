"""Term proposals through the API: who may propose, list and decide, as in the UI."""
from __future__ import annotations

import pytest

from assets.models import AssetTerm
from taxonomy import services
from taxonomy.models import TermLabel, TermProposal
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def birds():
    vocabulary = services.vocabulary_create(uri="https://v.example/p/", title="Birds", actor=None)
    gulls = services.term_create(vocabulary=vocabulary, labels=[(TermLabel.Kind.PREFERRED, "en", "Gulls")],
                                 actor=None)
    return vocabulary, gulls


def test_propose_list_and_decide_by_role(api, people, birds):
    vocabulary, gulls = birds
    asset = make_asset(people["contributor"], title="Pier")
    made = api["contributor"].post("/api/v1/term-proposals/", {"label": " Sea  gulls ", "asset": str(asset.uid),
                                                               "vocabulary": vocabulary.pk}, format="json")
    assert made.status_code == 201, made.json()
    body = made.json()
    assert (body["label"], body["asset"], body["status"], body["proposed_by"]) == (
        "Sea gulls", str(asset.uid), "pending", people["contributor"].display_name)
    # Integrations (content analysis) may propose a term for no asset.
    loose = api["librarian"].post("/api/v1/term-proposals/", {"label": "Puffins"}, format="json")
    assert loose.status_code == 201 and loose.json()["asset"] is None
    assert api["viewer"].post("/api/v1/term-proposals/", {"label": "X"}, format="json").status_code == 403
    assert api["contributor"].get("/api/v1/term-proposals/").json()["count"] == 1  # their own
    assert api["librarian"].get("/api/v1/term-proposals/?status=pending").json()["count"] == 2
    assert api["editor"].get("/api/v1/term-proposals/").json()["count"] == 0
    pk = body["id"]
    assert api["editor"].get(f"/api/v1/term-proposals/{pk}/").status_code == 404
    assert api["contributor"].post(f"/api/v1/term-proposals/{pk}/map/", {"term": gulls.uri},
                                   format="json").status_code == 403
    mapped = api["librarian"].post(f"/api/v1/term-proposals/{pk}/map/", {"term": gulls.uri, "note": "Same birds"},
                                   format="json")
    assert mapped.status_code == 200 and mapped.json()["status"] == "mapped" and mapped.json()["term"] == gulls.uri
    assert AssetTerm.objects.filter(asset=asset, term=gulls).exists()
    again = api["librarian"].post(f"/api/v1/term-proposals/{pk}/reject/", {}, format="json")
    assert again.status_code == 409 and "already mapped" in again.json()["detail"]
    loose_pk = loose.json()["id"]
    no_vocabulary = api["librarian"].post(f"/api/v1/term-proposals/{loose_pk}/accept/", {}, format="json")
    assert no_vocabulary.status_code == 400
    accepted = api["librarian"].post(f"/api/v1/term-proposals/{loose_pk}/accept/",
                                     {"vocabulary": vocabulary.pk, "broader": [str(gulls.pk)]}, format="json")
    assert accepted.status_code == 200, accepted.json()
    proposal = TermProposal.objects.get(pk=loose_pk)
    assert proposal.status == "accepted" and list(proposal.term.broader.all()) == [gulls]


def test_a_proposal_for_an_asset_one_may_not_see_is_404(api, people, birds):
    hidden = make_asset(people["editor"], title="Draft")
    response = api["contributor"].post("/api/v1/term-proposals/", {"label": "Terns", "asset": str(hidden.uid)},
                                       format="json")
    assert response.status_code == 404 and not TermProposal.objects.exists()
