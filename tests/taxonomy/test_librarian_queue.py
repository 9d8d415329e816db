"""The librarians' daily work (#27): the proposal queue decides identical proposals at once and maps by typed
label; bulk reject; a new term whose label another term has is questioned; merge and deprecate show what
changes before they change it."""
from __future__ import annotations

import re

import pytest

from accounts.models import AuditEvent
from assets.models import AssetTerm
from taxonomy import proposals, selectors, services
from taxonomy.models import Term, TermLabel, TermProposal
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
PREF, ALT = TermLabel.Kind.PREFERRED, TermLabel.Kind.ALTERNATIVE


@pytest.fixture
def terms():
    vocabulary = services.vocabulary_create(uri="https://v.example/q/", title="Birds", actor=None)
    made = {label: services.term_create(vocabulary=vocabulary, labels=[(PREF, "en", label), *extra], actor=None)
            for label, extra in [("Seabirds", [(ALT, "en", "Marine birds")]), ("Gulls", [(ALT, "en", "Mews")]),
                                 ("Terns", [])]}
    made["Gulls"].broader.add(made["Seabirds"])
    made["vocabulary"] = vocabulary
    return made


def _propose(people, label, title):
    return proposals.proposal_create(asset=make_asset(people["contributor"], title=title), label=label,
                                     actor=people["contributor"])


def test_identical_proposals_are_one_group_and_one_typed_label_maps_them_all(web, people, terms):
    first = _propose(people, "Sea gulls", "Pier at dawn")
    second = _propose(people, "sea  GULLS", "Harbour wall")
    third = _propose(people, "Séa gulls", "Lighthouse")
    other = _propose(people, "Puffins", "Cliffs")
    client = web("librarian")
    page = client.get("/assets/proposals/").content.decode()
    assert page.count('role="combobox"') >= 2 and "3 proposals" in page and "Map all 3 to an existing term" in page
    groups = selectors.proposal_groups(people["librarian"], selectors.proposals_visible_to(people["librarian"]),
                                       suggest=False)
    assert [(g.label, len(g.proposals)) for g in groups] == [("Sea gulls", 3), ("Puffins", 1)]
    # No id chosen from the list (no script, or the whole label typed): the typed synonym names the term.
    response = client.post("/assets/proposals/map/", {"ids": groups[0].ids, "term": "", "term_text": "mews"},
                           follow=True)
    assert "“Sea gulls” was mapped to “Gulls” (3 proposals)" in response.content.decode()
    for proposal in (first, second, third):
        proposal.refresh_from_db()
        assert (proposal.status, proposal.term) == ("mapped", terms["Gulls"])
        assert list(proposal.asset.terms.all()) == [terms["Gulls"]]
    assert AuditEvent.objects.filter(verb="assets.proposal.mapped").count() == 3
    other.refresh_from_db()
    assert other.status == "pending"


def test_a_typed_label_that_names_no_term_or_several_is_refused_in_words(web, people, terms):
    proposal = _propose(people, "Kittiwakes", "Cliff nest")
    services.term_create(vocabulary=terms["vocabulary"], labels=[(PREF, "en", "Skuas"), (ALT, "en", "Mews")],
                         actor=None)
    client = web("librarian")
    response = client.post("/assets/proposals/map/", {"ids": str(proposal.pk), "term_text": "Albatross"},
                           follow=True)
    assert "No term is called “Albatross”" in response.content.decode()
    response = client.post("/assets/proposals/map/", {"ids": str(proposal.pk), "term_text": "Mews"}, follow=True)
    assert "“Mews” is a label of several terms" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "pending"


def test_accepting_a_group_creates_one_term_under_a_typed_broader_term(web, people, terms):
    group = [_propose(people, "Kittiwakes", f"Cliff {n}") for n in range(2)]
    response = web("librarian").post("/assets/proposals/accept/", {
        "ids": ",".join(str(p.pk) for p in group), "vocabulary": terms["vocabulary"].pk, "label": "",
        "broader": "", "broader_text": "Marine birds"}, follow=True)
    assert "“Kittiwakes” was added to the vocabulary and 2 asset(s) tagged." in response.content.decode()
    term = Term.objects.get(label="Kittiwakes")
    assert list(term.broader.all()) == [terms["Seabirds"]]
    for proposal in group:
        proposal.refresh_from_db()
        assert (proposal.status, proposal.term) == ("accepted", term)
        assert list(proposal.asset.terms.all()) == [term]


def test_bulk_reject_turns_down_every_ticked_group_with_one_reason(web, people, terms):
    twins = [_propose(people, "Stuff", "One"), _propose(people, "stuff", "Two")]
    single = _propose(people, "Things", "Three")
    kept = _propose(people, "Gannets", "Four")
    ticked = [",".join(str(p.pk) for p in twins), str(single.pk)]
    assert web("contributor").post("/assets/proposals/reject/", {"ids": ticked}).status_code == 403
    response = web("librarian").post("/assets/proposals/reject/", {"ids": ticked, "note": "Too vague"}, follow=True)
    assert "3 proposals were rejected; the proposers see why." in response.content.decode()
    assert set(TermProposal.objects.filter(status="rejected").values_list("pk", "resolution_note")) == {
        (p.pk, "Too vague") for p in [*twins, single]}
    kept.refresh_from_db()
    assert kept.status == "pending"


def test_a_group_decision_is_all_or_nothing(web, people, terms):
    first, second = _propose(people, "Terns", "A"), _propose(people, "Terns", "B")
    proposals.proposal_reject(proposal=second, actor=people["librarian"], note="")
    response = web("librarian").post("/assets/proposals/map/", {"ids": f"{first.pk},{second.pk}",
                                                                "term": terms["Terns"].pk}, follow=True)
    assert "already rejected" in response.content.decode()
    first.refresh_from_db()
    assert first.status == "pending" and not first.asset.terms.exists()


def test_exact_label_is_offered_first_in_the_queue(web, people, terms):
    _propose(people, "marine BIRDS", "Flock")
    page = web("librarian").get("/assets/proposals/").content.decode()
    assert "“marine BIRDS” is already a synonym of" in page and "Map to “Seabirds”" in page


def test_a_new_term_with_another_terms_label_warns_and_offers_it(web, people, terms):
    client = web("librarian")
    url = f"/vocabulary/{terms['vocabulary'].pk}/terms/new/"
    response = client.post(url, {"pref_label": "Sea mews", "alt_labels": "Mews"})
    page = response.content.decode()
    assert response.status_code == 200 and "A term already has this label." in page
    assert "Use “Gulls”" in page and terms["Gulls"].get_absolute_url() in page and "Seabirds › Gulls" in page
    assert not Term.objects.filter(label="Sea mews").exists()
    response = client.post(url, {"pref_label": "Sea mews", "alt_labels": "Mews", "create_anyway": "1"})
    assert response.status_code == 302 and Term.objects.filter(label="Sea mews").exists()
    # A label nobody has goes straight through.
    assert client.post(url, {"pref_label": "Shearwaters"}).status_code == 302


def test_merge_shows_how_many_assets_are_retagged_and_changes_nothing_until_confirmed(web, people, terms):
    gulls, terns = terms["Gulls"], terms["Terns"]
    carrying = [make_asset(people["editor"], title=f"Gull {n}") for n in range(3)]
    for asset in carrying:
        AssetTerm.objects.create(asset=asset, term=gulls)
    AssetTerm.objects.create(asset=carrying[0], term=terns)
    client = web("librarian")
    response = client.post(f"/vocabulary/terms/{gulls.pk}/merge/", {"target": terns.pk})
    page = response.content.decode()
    assert response.status_code == 200 and "Merge “Gulls” into “Terns”?" in page
    assert 'data-retag-count="3"' in page and "<strong>3 assets</strong> carrying “Gulls” will be re-tagged" in page
    assert "1 already carries it" in page and "Mews" in page and "Merge and re-tag 3 assets" in page
    gulls.refresh_from_db()
    assert not gulls.is_deprecated and AssetTerm.objects.filter(term=gulls).count() == 3
    response = client.post(f"/vocabulary/terms/{gulls.pk}/merge/", {"target": terns.pk, "confirmed": "1"})
    assert response.status_code == 302
    gulls.refresh_from_db()
    assert gulls.is_deprecated and AssetTerm.objects.filter(term=terns).count() == 3


def test_deprecate_confirmation_says_whether_assets_are_retagged(web, people, terms):
    gulls = terms["Gulls"]
    AssetTerm.objects.create(asset=make_asset(people["editor"]), term=gulls)
    client = web("librarian")
    url = f"/vocabulary/terms/{gulls.pk}/deprecate/"
    page = client.post(url, {"replacement": terms["Terns"].pk, "retag": "on"}).content.decode()
    assert "<strong>1 asset</strong> carrying “Gulls” will be re-tagged with “Terns”" in page
    page = client.post(url, {}).content.decode()
    assert "<strong>1 asset</strong> keeps “Gulls”" in page and "Nothing is re-tagged" in page
    gulls.refresh_from_db()
    assert not gulls.is_deprecated
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    gulls.refresh_from_db()
    assert gulls.is_deprecated


@pytest.mark.parametrize("url", ["/vocabulary/{vocabulary}/terms/new/", "/vocabulary/terms/{gulls}/edit/",
                                 "/vocabulary/terms/{gulls}/move/", "/vocabulary/terms/{gulls}/", "/assets/search/"])
def test_term_pickers_are_autocomplete_fields_not_listboxes(web, terms, url):
    page = web("librarian").get(url.format(vocabulary=terms["vocabulary"].pk, gulls=terms["Gulls"].pk))
    html = page.content.decode()
    assert page.status_code == 200 and 'role="combobox"' in html and 'aria-autocomplete="list"' in html
    assert not re.search(r'<select[^>]*name="(term|broader|related|target|replacement)"', html)
    assert "js/termpicker.js" in html


def test_term_edit_shows_chosen_broader_terms_as_chips_with_their_path(web, terms):
    html = web("librarian").get(f"/vocabulary/terms/{terms['Gulls'].pk}/edit/").content.decode()
    assert f'name="broader" value="{terms["Seabirds"].pk}"' in html and 'aria-label="Remove Seabirds"' in html
    assert f'data-vocabulary="{terms["vocabulary"].pk}"' in html
