"""DESIGN.md's role matrix for the vocabulary: librarians and admins edit; contributors only propose; viewers read."""
from __future__ import annotations

import pytest

from accounts import permissions as authority
from taxonomy import services
from taxonomy.models import Term, TermLabel, Vocabulary
from tests.conftest import PERSONAS
from tests.factories import make_asset

pytestmark = pytest.mark.django_db
EDITORS = {"admin", "librarian"}
PROPOSERS = {"admin", "librarian", "contributor"}
READERS = set(PERSONAS) - {"outsider"}


@pytest.fixture
def vocabulary():
    vocabulary = services.vocabulary_create(uri="https://v.example/m/", title="Matrix", actor=None)
    for label in ("Alpha", "Beta"):
        services.term_create(vocabulary=vocabulary, labels=[(TermLabel.Kind.PREFERRED, "en", label)], actor=None)
    return vocabulary


@pytest.mark.parametrize("role", list(PERSONAS))
def test_capabilities(role, people, vocabulary):
    user = people[role]
    assert authority.can(user, "view", vocabulary) == (role in READERS)
    for action in ("create", "edit", "move", "merge", "deprecate", "import"):
        assert authority.can(user, action, vocabulary) == (role in EDITORS), action
    assert authority.can(user, "propose", Vocabulary) == (role in PROPOSERS)


@pytest.mark.parametrize("role", list(PERSONAS))
def test_api(role, api, vocabulary):
    client = api[role]
    alpha = Term.objects.get(label="Alpha")
    listed = client.get("/api/v1/vocabularies/")
    assert listed.status_code == 200 and len(listed.json()) == (1 if role in READERS else 0)
    assert client.get(f"/api/v1/vocabularies/{vocabulary.pk}/").status_code == (200 if role in READERS else 404)
    assert client.get(f"/api/v1/terms/{alpha.pk}/").status_code == (200 if role in READERS else 404)
    skos = client.get(f"/api/v1/vocabularies/{vocabulary.pk}/skos/?format=xml")
    assert skos.status_code == (200 if role in READERS else 404)
    if role in READERS:
        assert skos["Content-Type"].startswith("application/rdf+xml") and b"Alpha" in skos.content
    created = client.post("/api/v1/terms/", {"vocabulary": vocabulary.pk, "pref_label": f"By {role}",
                                             "alt_labels": ["syn"], "broader": [alpha.uri]}, format="json")
    assert created.status_code == {True: 201, False: 403 if role in READERS else 404}[role in EDITORS], created.json()
    patched = client.patch(f"/api/v1/terms/{alpha.pk}/", {"scope_note": "Edited"}, format="json")
    assert patched.status_code == (200 if role in EDITORS else 403 if role in READERS else 404)
    made = client.post("/api/v1/vocabularies/", {"uri": f"https://v.example/{role}/", "title": role}, format="json")
    assert made.status_code == (201 if role in EDITORS else 403)
    renamed = client.patch(f"/api/v1/vocabularies/{vocabulary.pk}/", {"title": "Renamed"}, format="json")
    assert renamed.status_code == (200 if role in EDITORS else 403 if role in READERS else 404)
    if role in EDITORS:
        assert renamed.json()["title"] == "Renamed" and renamed.json()["term_count"] >= 2
    beta = Term.objects.get(label="Beta")
    merged = client.post(f"/api/v1/terms/{beta.pk}/merge/", {"into": alpha.uri}, format="json")
    assert merged.status_code == (200 if role in EDITORS else 403 if role in READERS else 404)


def test_api_term_created_has_labels_and_path(api, vocabulary):
    alpha = Term.objects.get(label="Alpha")
    body = api["librarian"].post("/api/v1/terms/", {"vocabulary": vocabulary.pk, "pref_label": "Gamma",
                                                    "alt_labels": ["third"], "broader": [alpha.uri]},
                                 format="json").json()
    assert body["path"] == ["Alpha", "Gamma"] and body["broader"] == [alpha.uri]
    assert {(lb["kind"], lb["text"]) for lb in body["labels"]} == {("pref", "Gamma"), ("alt", "third")}
    found = api["viewer"].get("/api/v1/terms/?q=THIRD").json()
    assert [(r["label"], r["matched"]) for r in found["results"]] == [("Gamma", "third")]


@pytest.mark.parametrize("role", list(PERSONAS))
def test_ui(role, web, people, vocabulary):
    client = web(role)
    alpha = Term.objects.get(label="Alpha")
    reader = 200 if role in READERS else 404
    assert client.get("/vocabulary/").status_code == (200 if role in READERS else 403)
    assert client.get(f"/vocabulary/{vocabulary.pk}/").status_code == reader
    assert client.get(f"/vocabulary/{vocabulary.pk}/?q=alp").status_code == reader
    page = client.get(f"/vocabulary/terms/{alpha.pk}/")
    assert page.status_code == reader
    if role in READERS:
        assert (b"Merge into another term" in page.content) == (role in EDITORS)
    edit = 200 if role in EDITORS else 403 if role in READERS else 404
    assert client.get(f"/vocabulary/terms/{alpha.pk}/edit/").status_code == edit
    assert client.get(f"/vocabulary/{vocabulary.pk}/terms/new/").status_code == edit
    assert client.get("/vocabulary/import/").status_code == (200 if role in EDITORS else 403)
    assert client.get("/assets/proposals/").status_code == (200 if role in PROPOSERS else 403)
    asset = make_asset(people["contributor"] if role == "contributor" else people["admin"], approved=True)
    proposed = client.post(f"/assets/{asset.uid}/propose-term/", {"label": "Delta"})
    assert proposed.status_code == (302 if role in PROPOSERS else 404 if role == "outsider" else 403)


def test_librarian_edits_through_the_ui(web, vocabulary):
    client = web("librarian")
    alpha = Term.objects.get(label="Alpha")
    response = client.post(f"/vocabulary/{vocabulary.pk}/terms/new/", {
        "pref_label": "Gamma", "alt_labels": "third\ngamma ray", "hidden_labels": "gama",
        "translations": "de: Gamma-DE", "broader": [alpha.pk], "scope_note": "Use for gammas."})
    assert response.status_code == 302
    gamma = Term.objects.get(label="Gamma")
    assert sorted(gamma.labels.values_list("kind", "language", "text")) == [
        ("alt", "en", "gamma ray"), ("alt", "en", "third"), ("hidden", "en", "gama"), ("pref", "de", "Gamma-DE"),
        ("pref", "en", "Gamma")]
    response = client.post(f"/vocabulary/terms/{alpha.pk}/move/", {"broader": [gamma.pk]})
    assert response.status_code == 400 and "cycle" in response.content.decode()
    # Deprecating asks first, saying what will change; the confirmed POST does it.
    response = client.post(f"/vocabulary/terms/{gamma.pk}/deprecate/", {"replacement": alpha.pk, "retag": "on"})
    assert response.status_code == 200 and "Deprecate “Gamma”?" in response.content.decode()
    assert not Term.objects.get(pk=gamma.pk).is_deprecated
    response = client.post(f"/vocabulary/terms/{gamma.pk}/deprecate/", {"replacement": alpha.pk, "retag": "on",
                                                                        "confirmed": "1"})
    assert response.status_code == 302 and Term.objects.get(pk=gamma.pk).is_deprecated
    tree = client.get(f"/vocabulary/{vocabulary.pk}/?deprecated=1").content.decode()
    assert "deprecated" in tree and "Gamma" in tree


def test_autocomplete_suggests_by_any_label_with_the_path(web, vocabulary):
    alpha = Term.objects.get(label="Alpha")
    services.term_create(vocabulary=vocabulary, labels=[(TermLabel.Kind.PREFERRED, "en", "Gamma"),
                                                        (TermLabel.Kind.ALTERNATIVE, "en", "Grünspan")],
                         broader=[alpha], actor=None)
    results = web("contributor").get("/vocabulary/autocomplete/?q=grunspan").json()["results"]
    assert [(r["label"], r["matched"], r["path"]) for r in results] == [("Gamma", "Grünspan", "Alpha › Gamma")]
    assert web("outsider").get("/vocabulary/autocomplete/?q=gamma").json()["results"] == []
