"""Editing the vocabulary: create, edit, move, merge and deprecate terms; assets re-tagged; every change audited."""
from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from assets.models import AssetTerm
from taxonomy import selectors, services, signals
from taxonomy.models import Term, TermLabel, Vocabulary
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
PREF, ALT, HIDDEN = TermLabel.Kind.PREFERRED, TermLabel.Kind.ALTERNATIVE, TermLabel.Kind.HIDDEN


@pytest.fixture
def animals(people):
    vocabulary = services.vocabulary_create(uri="https://v.example/animals/", title="Animals", actor=None)

    def term(label, broader=(), **kwargs):
        return services.term_create(vocabulary=vocabulary, labels=[(PREF, "en", label), *kwargs.pop("labels", [])],
                                    broader=list(broader), actor=people["librarian"], **kwargs)
    mammals = term("Mammals")
    cats = term("Cats", [mammals], labels=[(ALT, "en", "Felines"), (PREF, "de", "Katzen")])
    kittens = term("Kittens", [cats])
    moggies = term("Moggies", [mammals], labels=[(ALT, "en", "House cats"), (HIDDEN, "en", "mogies")])
    return {"vocabulary": vocabulary, "mammals": mammals, "cats": cats, "kittens": kittens, "moggies": moggies}


def tag(asset, term, source=AssetTerm.Source.HUMAN):
    return AssetTerm.objects.create(asset=asset, term=term, source=source)


def test_create_makes_a_uri_and_audits(animals, people):
    cats = animals["cats"]
    assert cats.uri == "https://v.example/animals/cats"
    event = AuditEvent.objects.filter(verb="taxonomy.term.created", target_id=str(cats.pk)).get()
    assert event.actor == people["librarian"] and event.data["broader"] == [animals["mammals"].uri]


def test_a_preferred_label_may_not_be_taken_twice_in_a_vocabulary(animals):
    with pytest.raises(ValidationError, match="already the preferred label"):
        services.term_create(vocabulary=animals["vocabulary"], labels=[(PREF, "en", "CATS")], actor=None)
    with pytest.raises(ValidationError, match="one preferred label per language"):
        services.term_create(vocabulary=animals["vocabulary"], labels=[(PREF, "en", "A"), (PREF, "en", "B")],
                             actor=None)


def test_moving_a_term_below_itself_is_refused(animals, people):
    with pytest.raises(ValidationError, match="cycle"):
        services.term_move(term=animals["mammals"], broader=[animals["kittens"]], actor=people["librarian"])
    services.term_move(term=animals["kittens"], broader=[animals["mammals"], animals["moggies"]],
                       actor=people["librarian"])
    assert sorted(animals["kittens"].broader.values_list("label", flat=True)) == ["Mammals", "Moggies"]
    assert AuditEvent.objects.filter(verb="taxonomy.term.moved").count() == 1


def test_update_changes_labels_and_notes(animals, people):
    services.term_update(term=animals["cats"], actor=people["librarian"], scope_note="Domestic and wild.",
                         labels=[(PREF, "en", "Cats"), (ALT, "en", "Felids")])
    cats = Term.objects.get(pk=animals["cats"].pk)
    assert cats.scope_note == "Domestic and wild."
    assert sorted(cats.labels.values_list("text", flat=True)) == ["Cats", "Felids"]
    event = AuditEvent.objects.get(verb="taxonomy.term.updated")
    assert set(event.data["changes"]) == {"scope_note", "labels"}


def test_merge_retags_assets_keeps_labels_and_history(animals, people):
    cats, moggies = animals["cats"], animals["moggies"]
    only_moggies = make_asset(people["editor"], title="Only moggies")
    both = make_asset(people["editor"], title="Both")
    tag(only_moggies, moggies)
    tag(both, moggies)
    tag(both, cats)
    narrower = services.term_create(vocabulary=animals["vocabulary"], labels=[(PREF, "en", "Tabby")],
                                    broader=[moggies], actor=None)

    services.term_merge(source=moggies, target=cats, actor=people["librarian"])

    assert list(only_moggies.terms.all()) == [cats]
    assert list(both.terms.all()) == [cats]  # no duplicate link
    labels = {(lb.kind, lb.text) for lb in cats.labels.all()}
    assert {(ALT, "Moggies"), (ALT, "House cats"), (HIDDEN, "mogies")} <= labels
    moggies.refresh_from_db()
    assert moggies.is_deprecated and moggies.replaced_by == cats  # the merged term is kept, pointing on
    assert list(narrower.broader.all()) == [cats]
    merged = AuditEvent.objects.get(verb="taxonomy.term.merged")
    assert merged.data["source"] == moggies.uri and merged.target_id == str(cats.pk)
    assert AuditEvent.objects.filter(verb="assets.terms.retagged").count() == 2
    # Searching the old name now finds the surviving term.
    assert [m.term for m in selectors.search(people["viewer"], "moggies")] == [cats]


def test_deprecate_with_replacement_retags_or_leaves_for_review(animals, people):
    kittens, cats, mammals = animals["kittens"], animals["cats"], animals["mammals"]
    first, second = make_asset(people["editor"]), make_asset(people["editor"])
    tag(first, kittens)
    services.term_deprecate(term=kittens, replacement=cats, actor=people["librarian"])
    assert list(first.terms.all()) == [cats]

    tag(second, mammals)
    services.term_deprecate(term=mammals, replacement=animals["moggies"], retag=False, actor=people["librarian"])
    assert list(second.terms.all()) == [mammals]  # still there, listed on the term page for review
    assert Term.objects.get(pk=mammals.pk).is_deprecated
    event = AuditEvent.objects.filter(verb="taxonomy.term.deprecated").order_by("pk").last()
    assert event.data == {"replacement": animals["moggies"].uri, "retagged": False}


def test_merge_refuses_itself_and_rolls_back_on_failure(animals):
    with pytest.raises(ValidationError):
        services.term_merge(source=animals["cats"], target=animals["cats"], actor=None)
    assert not Term.objects.get(pk=animals["cats"].pk).is_deprecated


def test_changes_announce_themselves_after_commit(people, django_capture_on_commit_callbacks):
    heard = []

    def listener(sender, vocabulary_id, **kwargs):
        heard.append(vocabulary_id)
    signals.vocabulary_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            vocabulary = services.vocabulary_create(uri="https://v.example/x/", title="X", actor=None)
            services.term_create(vocabulary=vocabulary, labels=[(PREF, "en", "Y")], actor=None)
    finally:
        signals.vocabulary_changed.disconnect(listener)
    assert heard == [vocabulary.pk, vocabulary.pk]


def test_search_finds_any_label_case_and_accent_insensitive_with_its_path(animals, people):
    for query in ("felines", "FELINES", "katzen", "kätzen"):
        matches = selectors.search(people["viewer"], query)
        assert [m.term.label for m in matches] == ["Cats"], query
    match = selectors.search(people["viewer"], "mogies")[0]
    assert match.term == animals["moggies"] and match.kind == HIDDEN
    assert match.path == ["Mammals", "Moggies"]
    assert selectors.search(people["outsider"], "cats") == []  # no role, no vocabulary


def test_keywords_match_any_label(animals):
    found = selectors.match_keywords(["KATZEN", "house cats", "Zebras"])
    assert found == {"KATZEN": animals["cats"], "house cats": animals["moggies"], "Zebras": None}


def test_tree_and_term_page_count_only_visible_assets(animals, people, web):
    tag(make_asset(people["editor"], approved=True), animals["cats"])
    tag(make_asset(people["editor"]), animals["cats"])  # a draft: viewers do not see it
    for role, count in (("viewer", 1), ("librarian", 2)):
        rows = selectors.tree(Vocabulary.objects.get(), people[role])
        assert [(r.term.label, r.depth) for r in rows] == [
            ("Mammals", 0), ("Cats", 1), ("Kittens", 2), ("Moggies", 1)]
        assert rows[1].term.asset_count == count, role
        page = web(role).get(f"/vocabulary/terms/{animals['mammals'].pk}/")
        assert [(t.label, t.asset_count) for t in page.context["narrower"]] == [("Cats", count), ("Moggies", 0)]
