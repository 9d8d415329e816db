"""SKOS import and export: a realistic vocabulary, lossless round trips, and every way a file can be refused."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from rdflib import Graph
from rdflib.compare import isomorphic

from accounts.models import AuditEvent
from taxonomy import selectors, services, skos, vocabulary_csv
from taxonomy.models import Term, TermLabel, Vocabulary
from tests.taxonomy import vocab

pytestmark = pytest.mark.django_db

HEAD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix ex: <https://t.example/s/> .
ex: a skos:ConceptScheme ; skos:prefLabel "Small"@en .
"""


def load(text: str, **kwargs) -> services.ImportResult:
    return services.vocabulary_import(data=text.encode(), filename=kwargs.pop("filename", "v.ttl"), actor=None,
                                      **kwargs)


def refused(text: str, filename: str = "v.ttl") -> list[skos.Problem]:
    before = (Vocabulary.objects.count(), Term.objects.count(), TermLabel.objects.count(),
              AuditEvent.objects.count())
    with pytest.raises(skos.SkosError) as caught:
        load(text, filename=filename)
    after = (Vocabulary.objects.count(), Term.objects.count(), TermLabel.objects.count(), AuditEvent.objects.count())
    assert after == before, "a refused import must change nothing"
    return caught.value.problems


def test_realistic_vocabulary_imports_with_its_shape():
    vocabulary = vocab.build()
    assert vocabulary.title == "Stock photography" and vocabulary.language == "en"
    assert vocabulary.terms.count() == 436
    rows = selectors.tree(vocabulary, AnonymousUser())
    assert max(row.depth for row in rows) == 3  # four levels
    cats = Term.objects.get(uri=vocab.SCHEME + "animals")
    assert {(lb.language, lb.text) for lb in cats.labels.filter(kind=TermLabel.Kind.PREFERRED)} == {
        ("en", "Animals"), ("de", "Tiere"), ("fr", "Animaux")}
    assert cats.external_links == {"exactMatch": ["http://www.wikidata.org/entity/Q1000"]}
    poly = Term.objects.get(uri=vocab.SCHEME + "animals-group-close-up")
    assert sorted(poly.broader.values_list("label", flat=True)) == ["Animals group", "Architecture group"]
    old = Term.objects.get(uri=vocab.SCHEME + "old-animals")
    assert old.is_deprecated and old.replaced_by.uri == vocab.SCHEME + "animals-group"
    studio = Term.objects.get(uri=vocab.SCHEME + "animals-group-studio")
    # skos:related is symmetric: two subjects on from Food, and Technology's points back here.
    assert sorted(studio.related.values_list("uri", flat=True)) == [vocab.SCHEME + "food-group-studio",
                                                                     vocab.SCHEME + "technology-group-studio"]
    event = AuditEvent.objects.get(verb="taxonomy.vocabulary.imported")
    assert event.data["created"] == 436


@pytest.mark.parametrize("fmt", ["turtle", "xml"])
def test_export_is_the_imported_graph_and_reimports_unchanged(fmt):
    vocabulary = vocab.build()
    original = Graph().parse(data=vocab.turtle(), format="turtle")
    exported = skos.serialize(vocabulary, fmt)
    assert isomorphic(original, Graph().parse(data=exported, format=fmt))
    # Re-import the export into an empty DAM and export again: the same graph.
    Vocabulary.objects.all().delete()
    result = load(exported, filename=f"again.{'ttl' if fmt == 'turtle' else 'rdf'}")
    assert result.created == 436
    again = skos.serialize(result.vocabularies[0], fmt)
    assert isomorphic(Graph().parse(data=exported, format=fmt), Graph().parse(data=again, format=fmt))


def test_csv_round_trip():
    vocabulary = vocab.build()
    text = vocabulary_csv.vocabulary_csv(vocabulary)
    assert text.splitlines()[0].startswith('"uri","pref_label@de","pref_label@en","pref_label@fr"')
    before = skos.graph_for(vocabulary)
    Vocabulary.objects.all().delete()
    result = services.vocabulary_import(data=text.encode(), filename="stock.csv", actor=None,
                                        csv_scheme=(vocab.SCHEME, "Stock photography", "en"))
    after = skos.graph_for(result.vocabularies[0])
    # CSV carries everything but the mappings into other schemes and the scheme's description.
    drop = {skos.MAPPINGS["exactMatch"], skos.DCTERMS.description}
    expected = Graph()
    for triple in before:
        if triple[1] not in drop:
            expected.add(triple)
    assert isomorphic(expected, after)


def test_reimport_updates_terms_in_place():
    vocab.build()
    term = Term.objects.get(uri=vocab.SCHEME + "animals")
    text = vocab.turtle().replace('"Tiere"@de', '"Tierwelt"@de')
    result = load(text, filename="stock.ttl")
    assert (result.created, result.updated) == (0, 436)
    assert Term.objects.get(pk=term.pk).labels.filter(text="Tierwelt").exists()


def test_references_outside_the_dam_are_kept_or_dropped_with_a_warning_each():
    text = HEAD + """ex:a a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "A"@en ;
    skos:broader <http://other.example/x> ; skos:related <http://other.example/y> ;
    skos:closeMatch <http://other.example/z> .
"""
    result = load(text)
    assert [(w.line, w.subject) for w in result.warnings] == [(5, "https://t.example/s/a")] * 2
    assert "kept as an external link" in str(result.warnings[0])
    term = Term.objects.get(uri="https://t.example/s/a")
    assert term.external_links == {"broader": ["http://other.example/x"], "related": ["http://other.example/y"],
                                   "closeMatch": ["http://other.example/z"]}
    exported = Graph().parse(data=skos.serialize(term.vocabulary), format="turtle")
    assert len(list(exported.triples((None, skos.SKOS.broader, None)))) == 1
    Vocabulary.objects.all().delete()
    dropped = load(text, external="drop")
    assert all("dropped" in str(w) for w in dropped.warnings) and len(dropped.warnings) == 2
    assert Term.objects.get(uri="https://t.example/s/a").external_links == {
        "closeMatch": ["http://other.example/z"]}


def test_references_into_other_vocabularies_in_the_dam_are_links():
    vocab.build()
    load(HEAD + f"""ex:a a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "A"@en ;
    skos:related <{vocab.SCHEME}animals> .
""")
    assert Term.objects.get(uri="https://t.example/s/a").related.get().label == "Animals"


def test_malformed_turtle_names_the_line():
    problems = refused(HEAD + 'ex:a a skos:Concept ;\n  skos:prefLabel "A"@en ;;; ] .\n')
    assert len(problems) == 1 and problems[0].message.startswith("The Turtle syntax is broken here: ")
    assert "Bad syntax" not in problems[0].message and problems[0].line == 6


def test_malformed_rdf_xml_names_the_line():
    text = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <rdf:Description rdf:about="https://t.example/s/">\n  </rdf:RDF>\n')
    problems = refused(text, filename="v.rdf")
    assert problems[0].message == "A closing tag does not match the tag it closes." and problems[0].line == 4


def test_a_cycle_in_broader_is_refused_with_the_cycle():
    problems = refused(HEAD + """ex:a a skos:Concept ; skos:prefLabel "A"@en ; skos:broader ex:c .
ex:b a skos:Concept ; skos:prefLabel "B"@en ; skos:broader ex:a .
ex:c a skos:Concept ; skos:prefLabel "C"@en ; skos:broader ex:b .
ex:d a skos:Concept ; skos:prefLabel "D"@en ; skos:broader ex:d .
""")
    assert len(problems) == 2
    assert all("cycle" in p.message for p in problems)
    assert {p.line for p in problems} == {5, 8}


def test_two_preferred_labels_in_one_language_are_refused():
    problems = refused(HEAD + 'ex:a a skos:Concept ; skos:prefLabel "A"@en, "Ay"@en, "A"@de .\n')
    assert [(p.line, p.subject) for p in problems] == [(5, "https://t.example/s/a")]
    assert "Two skos:prefLabel in language 'en'" in problems[0].message


def test_a_preferred_label_shared_by_two_concepts_is_a_warning():
    result = load(HEAD + """ex:a a skos:Concept ; skos:prefLabel "Boats"@en .
ex:b a skos:Concept ; skos:prefLabel "boats"@en .
""")
    assert result.created == 2
    [warning] = result.warnings
    assert warning.line == 6 and "also the preferred label of" in warning.message


def test_references_inside_the_namespace_but_outside_the_file_are_kept_as_external_links():
    result = load(HEAD + """ex:a a skos:Concept ; skos:prefLabel "A"@en ; skos:broader ex:typo ;
    skos:related ex:missing .
ex:b a skos:Concept ; skos:prefLabel "B"@en ; dct:isReplacedBy ex:gone .
""")
    assert {w.line for w in result.warnings} == {5, 7} and len(result.warnings) == 3
    assert Term.objects.get(uri="https://t.example/s/a").external_links == {
        "broader": ["https://t.example/s/typo"], "related": ["https://t.example/s/missing"]}
    b = Term.objects.get(uri="https://t.example/s/b")
    assert b.is_deprecated and b.external_links == {"isReplacedBy": ["https://t.example/s/gone"]}


@pytest.mark.parametrize("text, message", [
    ('@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n<https://x/a> a skos:Concept ; '
     'skos:prefLabel "A"@en .\n', "no skos:ConceptScheme"),
    (HEAD + "ex:a a skos:Concept ; skos:prefLabel ex:b .\n", "must be a text, not a link"),
])
def test_other_broken_files_are_refused(text, message):
    problems = refused(text)
    assert any(message in p.message for p in problems), problems


def test_every_problem_is_reported_at_once():
    problems = refused(HEAD + """ex:a a skos:Concept ; skos:prefLabel "A"@en, "B"@en .
ex:c a skos:Concept ; skos:prefLabel "C"@en ; skos:broader ex:c .
ex:d a skos:Concept ; skos:prefLabel ex:nowhere .
""")
    assert len(problems) == 3


def test_import_into_an_existing_vocabulary_is_validated_against_it_and_rolls_back():
    vocab.build()
    terms_before = Term.objects.count()
    problems = refused(vocab.turtle() + f"<{vocab.SCHEME}new> a skos:Concept ; skos:inScheme <{vocab.SCHEME}> ; "
                       f"skos:prefLabel \"New\"@en, \"Neu\"@en .\n", filename="stock.ttl")
    assert len(problems) == 1 and Term.objects.count() == terms_before


def test_commands_import_and_export(tmp_path, capsys):
    path = tmp_path / "stock.ttl"
    path.write_text(vocab.turtle())
    call_command("import_skos", str(path))
    assert "436 new term(s)" in capsys.readouterr().out
    call_command("export_skos", vocab.SCHEME, "--format", "xml")
    xml = capsys.readouterr().out
    assert isomorphic(Graph().parse(data=xml, format="xml"), Graph().parse(data=vocab.turtle(), format="turtle"))
    bad = tmp_path / "bad.ttl"
    bad.write_text(HEAD + 'ex:a a skos:Concept ; skos:prefLabel "A"@en ; skos:broader ex:a .\n')
    with pytest.raises(Exception, match="Nothing was imported: 1 problem"):
        call_command("import_skos", str(bad))
    assert "line 5" in capsys.readouterr().err


def test_the_demo_vocabulary_imports_and_exports_unchanged():
    from taxonomy.demo import DEMO_TURTLE

    vocabulary = load(DEMO_TURTLE, filename="demo.ttl").vocabularies[0]
    assert isomorphic(Graph().parse(data=DEMO_TURTLE, format="turtle"),
                      Graph().parse(data=skos.serialize(vocabulary), format="turtle"))


def test_api_import_reports_problems_or_creates(api):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("bad.ttl", (HEAD + 'ex:a a skos:Concept ; skos:prefLabel "A"@en ; '
                                               'skos:broader ex:a .\n').encode())
    response = api["librarian"].post("/api/v1/vocabularies/import/", {"file": bad}, format="multipart")
    assert response.status_code == 400
    assert response.json()["errors"]["file"][0].startswith("line 5 <https://t.example/s/a>: skos:broader forms")
    good = SimpleUploadedFile("stock.ttl", vocab.turtle().encode())
    response = api["librarian"].post("/api/v1/vocabularies/import/", {"file": good}, format="multipart")
    assert response.status_code == 201 and response.json()["created"] == 436
    assert api["contributor"].post("/api/v1/vocabularies/import/", {"file": good},
                                   format="multipart").status_code == 403
    listed = api["viewer"].get(f"/api/v1/terms/?vocabulary={Vocabulary.objects.get().pk}&page_size=5").json()
    assert listed["count"] == 432  # the four deprecated terms are left out unless asked for
    assert all(r["path"][-1] == r["label"] for r in listed["results"])
