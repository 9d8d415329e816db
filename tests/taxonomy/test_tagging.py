"""Terms on assets: the API's terms field, embedded keywords at ingest, proposals and the librarians' queue."""
from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from assets import signals
from assets.models import AssetTerm, AssetVersion
from ingest import keywords
from taxonomy import proposals, services
from taxonomy.models import Term, TermLabel, TermProposal
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
PREF, ALT = TermLabel.Kind.PREFERRED, TermLabel.Kind.ALTERNATIVE


@pytest.fixture
def terms():
    vocabulary = services.vocabulary_create(uri="https://v.example/t/", title="Topics", actor=None)
    made = {label: services.term_create(vocabulary=vocabulary, labels=[(PREF, "en", label), *extra], actor=None)
            for label, extra in [("Cats", [(ALT, "en", "felines")]), ("Dogs", []), ("Café culture", []),
                                 ("Harbours", [(PREF, "de", "Häfen")])]}
    made["vocabulary"] = vocabulary
    return made


def test_patch_terms_by_uri_or_id_replaces_human_terms_only(api, people, terms):
    asset = make_asset(people["contributor"])
    AssetTerm.objects.create(asset=asset, term=terms["Harbours"], source=AssetTerm.Source.AUTO, confidence=0.7)
    response = api["contributor"].patch(f"/api/v1/assets/{asset.uid}/",
                                        {"terms": [terms["Cats"].uri, str(terms["Dogs"].pk)]}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert [(t["label"], t["source"]) for t in body["terms"]] == [
        ("Cats", "human"), ("Dogs", "human"), ("Harbours", "auto")]
    assert body["terms"][0] == {"id": terms["Cats"].pk, "uri": terms["Cats"].uri, "label": "Cats",
                                "vocabulary": terms["vocabulary"].pk, "source": "human", "confidence": None}
    response = api["contributor"].patch(f"/api/v1/assets/{asset.uid}/", {"terms": [terms["Dogs"].uri]},
                                        format="json")
    assert [t["label"] for t in response.json()["terms"]] == ["Dogs", "Harbours"]
    event = AuditEvent.objects.filter(verb="assets.asset.updated").order_by("pk").last()
    assert event.data["changes"]["terms"] == [sorted([terms["Cats"].uri, terms["Dogs"].uri]), [terms["Dogs"].uri]]


def test_patch_terms_refuses_unknown_and_deprecated_terms(api, people, terms):
    asset = make_asset(people["contributor"])
    services.term_deprecate(term=terms["Dogs"], replacement=terms["Cats"], actor=None)
    response = api["contributor"].patch(f"/api/v1/assets/{asset.uid}/",
                                        {"terms": ["https://v.example/t/nope", terms["Dogs"].uri]}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["terms"]
    assert "No term 'https://v.example/t/nope'." in errors[0] and "Use “Cats”" in errors[1]
    assert not asset.terms.exists()


def test_viewers_cannot_tag(api, people, terms):
    asset = make_asset(people["contributor"], approved=True)
    response = api["viewer"].patch(f"/api/v1/assets/{asset.uid}/", {"terms": [terms["Cats"].uri]}, format="json")
    assert response.status_code == 403


def test_embedded_keywords_become_terms_or_proposals_at_ingest(people, terms):
    asset = make_asset(people["contributor"], title="Harbour at dusk")
    version = asset.current_version
    AssetVersion.objects.filter(pk=version.pk).update(
        uploaded_by=people["contributor"],
        embedded_metadata={"keywords": ["HAFEN", "Felines", "cafe culture", "Lighthouse", "lighthouse"]})
    signals.version_created.send(sender=AssetVersion, version_id=version.pk, previous_version_id=None,
                                 actor_id=people["contributor"].pk)
    links = {link.term.label: (link.source, link.confidence) for link in asset.term_links.select_related("term")}
    assert links == {"Harbours": ("auto", 1.0), "Cats": ("auto", 1.0), "Café culture": ("auto", 1.0)}
    proposal = TermProposal.objects.get()
    assert (proposal.label, proposal.origin, proposal.asset, proposal.proposed_by) == (
        "Lighthouse", "embedded", asset, people["contributor"])
    # Safe to run twice: nothing doubles.
    keywords.keywords_apply(version_id=version.pk)
    assert asset.term_links.count() == 3 and TermProposal.objects.count() == 1


def test_proposal_accepted_creates_the_term_and_tags_the_asset(api, web, people, terms):
    asset = make_asset(people["contributor"])
    response = web("contributor").post(f"/assets/{asset.uid}/propose-term/", {"label": "Sea lions",
                                                                              "note": "Many harbour shots"})
    assert response.status_code == 302
    proposal = TermProposal.objects.get()
    assert proposal.proposed_by == people["contributor"] and proposal.status == "pending"
    client = web("librarian")
    assert b"Sea lions" in client.get("/assets/proposals/").content
    response = client.post(f"/assets/proposals/{proposal.pk}/accept/", {
        "vocabulary": terms["vocabulary"].pk, "label": "", "broader": terms["Dogs"].uri})
    assert response.status_code == 302
    term = Term.objects.get(label="Sea lions")
    assert list(term.broader.all()) == [terms["Dogs"]]
    assert list(asset.terms.all()) == [term]
    proposal.refresh_from_db()
    assert (proposal.status, proposal.term, proposal.resolved_by) == ("accepted", term, people["librarian"])


def test_proposal_mapped_or_rejected_and_the_proposer_sees_it(web, people, terms):
    asset = make_asset(people["contributor"])
    mapped = proposals.proposal_create(asset=asset, label="kitties", actor=people["contributor"])
    rejected = proposals.proposal_create(asset=asset, label="stuff", actor=people["contributor"])
    client = web("librarian")
    client.post(f"/assets/proposals/{mapped.pk}/map/", {"term": terms["Cats"].pk})
    client.post(f"/assets/proposals/{rejected.pk}/reject/", {"note": "Too vague"})
    assert list(asset.terms.all()) == [terms["Cats"]]
    event = AuditEvent.objects.get(verb="assets.proposal.rejected")
    assert event.data["proposed_by"] == people["contributor"].pk and event.data["reason"] == "Too vague"
    page = web("contributor").get("/assets/proposals/").content.decode()
    assert "Too vague" in page and "Mapped to an existing term" in page
    # A resolved proposal cannot be resolved again.
    client = web("librarian")
    response = client.post(f"/assets/proposals/{rejected.pk}/map/", {"term": terms["Cats"].pk}, follow=True)
    assert "already rejected" in response.content.decode()


def test_bulk_edit_adds_and_removes_terms_and_moves_in_one_action(web, people, terms):
    from tests.factories import make_collection

    first, second = make_asset(people["editor"]), make_asset(people["editor"])
    AssetTerm.objects.create(asset=second, term=terms["Dogs"])
    target = make_collection("Campaign A")
    response = web("admin").post("/assets/bulk/", {
        "assets": f"{first.uid},{second.uid}", "add_terms": [terms["Cats"].pk], "remove_terms": [terms["Dogs"].pk],
        "collection": target.pk, "field_key": "", "field_value": ""})
    assert response.status_code == 302
    for asset in (first, second):
        asset.refresh_from_db()
        assert asset.collection == target and list(asset.terms.all()) == [terms["Cats"]]
    events = AuditEvent.objects.filter(verb="assets.asset.bulk_updated")
    assert events.count() == 2 and len({e.data["batch"] for e in events}) == 1
