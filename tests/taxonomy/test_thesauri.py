"""Real thesauri: slices of YSO as its publisher ships them for tests, re-imported releases, formats and limits."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.core.management import call_command
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, SKOS

from accounts.models import AuditEvent
from assets.models import AssetTerm
from taxonomy import services, skos
from taxonomy.models import Term, Vocabulary
from taxonomy.skos_reader import SKOSXL
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "thesauri"
LITTLE = CORPUS / "little-yso-excerpt.ttl"
ARCHAEOLOGY = CORPUS / "yso-archaeology-excerpt.ttl"
YSO = "http://www.yso.fi/onto/yso/"
AS_YSO = (YSO, "YSO", "fi")


def load(path: Path, **kwargs) -> services.ImportResult:
    return services.vocabulary_import(data=path.read_bytes(), filename=path.name, actor=None, **kwargs)


def state() -> tuple:
    return (Vocabulary.objects.count(), Term.objects.count(), Term.broader.through.objects.count(),
            AuditEvent.objects.count(), sorted(Term.objects.values_list("uri", "external_links")))


def test_a_real_slice_imports_keeping_outside_references_as_external_links():
    result = load(LITTLE)
    assert result.created == 15
    summary = result.summary()
    assert "103 reference(s) to concepts outside the file kept as external links." in summary
    assert "2 SKOS-XL label(s) that no concept uses skipped." in summary  # label resources are no concepts
    vocabulary = result.vocabularies[0]
    assert vocabulary.uri == YSO and vocabulary.language == "en"
    paleolithic = Term.objects.get(uri=YSO + "p12484")
    assert paleolithic.label == "Paleolithic period"
    assert {lb.language for lb in paleolithic.labels.all()} == {"en", "fi", "sv", "se"}
    assert paleolithic.external_links["broader"] == [YSO + "p4624"]
    assert "http://www.wikidata.org/entity/Q40203" in paleolithic.external_links["closeMatch"]
    # Notes in every language are kept: the vocabulary's own in scope_note, the others beside it.
    hierarchy = Term.objects.get(uri=YSO + "p1435")
    assert hierarchy.scope_note.startswith("This is a hierarchical concept")
    assert len(hierarchy.notes["scopeNote"]) == 2 and len(hierarchy.notes["note"]) == 3


def test_a_later_slice_turns_external_links_into_relations_and_a_dry_run_changes_nothing():
    load(LITTLE)
    before = state()
    preview = load(ARCHAEOLOGY, csv_scheme=AS_YSO, dry_run=True)
    assert state() == before and preview.dry_run
    result = load(ARCHAEOLOGY, csv_scheme=AS_YSO)
    assert (preview.created, len(preview.changed_terms), preview.resolved) == (
        result.created, len(result.changed_terms), result.resolved) == (18, 3, 6)
    assert "2 collection(s) not imported (their member concepts are)." in result.summary()
    # The file has no scheme of its own: its concepts join YSO, whose title stays.
    assert Vocabulary.objects.get().title == "YSO - General Finnish ontology"
    paleolithic = Term.objects.get(uri=YSO + "p12484")
    assert paleolithic.broader.get().label == "Stone Age" and "broader" not in paleolithic.external_links
    # p1265 (new) lists p1264 and p18838 (from the first file) as narrower: they are now below it.
    assert sorted(Term.objects.get(uri=YSO + "p1265").narrower.values_list("uri", flat=True)) == [
        YSO + "p1264", YSO + "p18838"]
    assert "broader" not in Term.objects.get(uri=YSO + "p1264").external_links
    assert set(result.changes[YSO + "p4626"]) >= {"labels", "notes"}
    assert len(result.missing) == 12


HEAD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix ex: <https://r.example/s/> .
ex: a skos:ConceptScheme ; skos:prefLabel "Releases"@en .
"""


def release(*concepts: str) -> bytes:
    return (HEAD + "\n".join(concepts) + "\n").encode()


def test_a_new_release_updates_in_place_and_never_deletes_a_term_assets_use():
    services.vocabulary_import(data=release(
        'ex:a a skos:Concept ; skos:prefLabel "Anchors"@en .',
        'ex:b a skos:Concept ; skos:prefLabel "Buoys"@en ; skos:broader ex:a .',
        'ex:c a skos:Concept ; skos:prefLabel "Chains"@en .',
        'ex:d a skos:Concept ; skos:prefLabel "Docks"@en .'), filename="v1.ttl", actor=None)
    asset = make_asset(None)
    for uri in ("b", "c"):
        AssetTerm.objects.create(asset=asset, term=Term.objects.get(uri=f"https://r.example/s/{uri}"))
    v2 = release('ex:a a skos:Concept ; skos:prefLabel "Anchors"@en, "Anker"@de .',
                 'ex:b a skos:Concept ; skos:prefLabel "Buoys"@en ; skos:broader ex:a ; owl:deprecated true .',
                 'ex:e a skos:Concept ; skos:prefLabel "Eyelets"@en ; skos:broader ex:a .')
    result = services.vocabulary_import(data=v2, filename="v2.ttl", actor=None, remove_missing=True)
    assert [t.label for t in result.created_terms] == ["Eyelets"]
    assert result.changes == {"https://r.example/s/a": ["labels"], "https://r.example/s/b": ["status"]}
    assert sorted(t.label for t in result.deprecated_terms) == ["Buoys", "Chains"]
    assert result.removed == ["https://r.example/s/d"]
    assert sorted(Term.objects.filter(status=Term.Status.DEPRECATED).values_list("label", flat=True)) == [
        "Buoys", "Chains"]
    assert not Term.objects.filter(label="Docks").exists()
    assert AssetTerm.objects.filter(asset=asset).count() == 2


def test_meta_scheme_concepts_and_concepts_without_labels_do_not_block_the_file():
    text = HEAD + """@prefix meta: <https://r.example/meta/> .
@prefix skosxl: <http://www.w3.org/2008/05/skos-xl#> .
meta:Hierarchy a skos:Concept ; skos:inScheme meta: .
ex:a a skos:Concept ; skos:inScheme ex: ; skosxl:prefLabel [ skosxl:literalForm "Anchors"@en-GB ] .
ex:b a skos:Concept ; skos:inScheme ex: ; skos:altLabel "Buoys"@en .
ex:p12 a skos:Concept ; skos:inScheme ex: ; skos:scopeNote [ <http://www.w3.org/1999/02/22-rdf-syntax-ns#value>
    "A structured note."@en ] .
ex:coll a skos:Collection ; skos:member ex:a, ex:b .
"""
    result = services.vocabulary_import(data=text.encode(), filename="meta.ttl", actor=None)
    assert sorted(Term.objects.values_list("label", flat=True)) == ["Anchors", "Buoys", "p12"]
    assert Term.objects.get(label="p12").scope_note == "A structured note."
    groups = sorted(w.group for w in result.warnings)
    assert groups == ["collection", "no-label", "no-label", "other-scheme"]


def _defined(graph: Graph) -> Graph:
    """What a SKOS file defines about its concepts, in the form the DAM keeps: SKOS-XL labels as plain labels,
    narrower inside the file as broader of the other concept; types, schemes and other vocabularies left out."""
    kept = {SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation, SKOS.broader, SKOS.related,
            SKOS.narrower, OWL.deprecated, DCTERMS.isReplacedBy, *skos.NOTES.values(), *skos.MAPPINGS.values()}
    concepts = set(graph.subjects(RDF.type, SKOS.Concept))
    out = Graph()
    for s, p, o in graph:
        if s not in concepts:
            continue
        if p == SKOS.narrower and o in concepts:
            out.add((o, SKOS.broader, s))
        elif p in kept:
            out.add((s, p, o))
        elif p in (SKOSXL.prefLabel, SKOSXL.altLabel, SKOSXL.hiddenLabel):
            plain = {SKOSXL.prefLabel: SKOS.prefLabel, SKOSXL.altLabel: SKOS.altLabel}.get(p, SKOS.hiddenLabel)
            for form in graph.objects(o, SKOSXL.literalForm):
                out.add((s, plain, form))
    for s, _p, o in list(out.triples((None, SKOS.related, None))):
        if o in concepts:
            out.add((o, SKOS.related, s))
    return out


def test_every_format_round_trips_losslessly_what_the_file_defines():
    vocabulary = load(LITTLE).vocabularies[0]
    source = Graph().parse(LITTLE)
    exported = {fmt: skos.serialize(vocabulary, fmt) for fmt in skos.EXPORTS}
    assert isomorphic(_defined(source), _defined(Graph().parse(data=exported["turtle"], format="turtle")))
    for fmt, text in exported.items():
        Vocabulary.objects.all().delete()
        name = f"again.{skos.EXPORTS[fmt][2]}"
        data = gzip.compress(text.encode()) if fmt == "nt" else text.encode()
        again = services.vocabulary_import(data=data, filename=name + (".gz" if fmt == "nt" else ""),
                                           actor=None).vocabularies[0]
        assert isomorphic(Graph().parse(data=exported["turtle"], format="turtle"),
                          Graph().parse(data=skos.serialize(again, "turtle"), format="turtle")), fmt


def test_deprecation_and_replacement_round_trip():
    text = release('ex:a a skos:Concept ; skos:prefLabel "A"@en .',
                   'ex:b a skos:Concept ; skos:prefLabel "B"@en ; owl:deprecated true ; '
                   '<http://purl.org/dc/terms/isReplacedBy> ex:a .')
    vocabulary = services.vocabulary_import(data=text, filename="d.ttl", actor=None).vocabularies[0]
    graph = Graph().parse(data=skos.serialize(vocabulary, "jsonld"), format="json-ld")
    b = URIRef("https://r.example/s/b")
    assert (b, DCTERMS.isReplacedBy, URIRef("https://r.example/s/a")) in graph
    assert any(o == Literal(True) for o in graph.objects(b, OWL.deprecated))


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
  <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
  <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
  <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="x">&c;</rdf:Description>
</rdf:RDF>
"""


def test_bad_input_is_refused_by_limits_and_changes_nothing(settings):
    with pytest.raises(skos.SkosError) as caught:
        services.vocabulary_import(data=BOMB, filename="bomb.rdf", actor=None)
    assert "entities that refer to other entities" in caught.value.problems[0].message
    assert caught.value.problems[0].line == 4
    # Entities that only name a namespace, as OWL tools write them, are fine.
    named = (b'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [ <!ENTITY skos "http://www.w3.org/2004/02/skos/core#"> ]>\n'
             b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:skos="&skos;">\n'
             b'<skos:ConceptScheme rdf:about="https://x.example/s/"><skos:prefLabel xml:lang="en">X</skos:prefLabel>'
             b'</skos:ConceptScheme></rdf:RDF>\n')
    assert services.vocabulary_import(data=named, filename="ok.rdf", actor=None).vocabularies[0].title == "X"
    settings.DAM_VOCABULARY_MAX_MB = 1
    zipped_bomb = gzip.compress(b" " * (3 * 1024 * 1024))
    with pytest.raises(skos.SkosError, match="vocabulary files up to 1 MB"):
        services.vocabulary_import(data=zipped_bomb, filename="big.ttl.gz", actor=None)
    with pytest.raises(skos.SkosError, match="damaged or incomplete"):
        services.vocabulary_import(data=zipped_bomb[:200], filename="cut.ttl.gz", actor=None)


def test_the_command_previews_a_release_and_reports_it(capsys):
    call_command("import_skos", str(LITTLE), verbosity=0)
    capsys.readouterr()
    before = state()
    call_command("import_skos", str(ARCHAEOLOGY), "--scheme-uri", YSO, "--dry-run", verbosity=0)
    out = capsys.readouterr().out
    assert state() == before
    assert out.startswith("Dry run, nothing was changed. Importing would update")
    assert "18 term(s) would be added, 3 would be changed, 0 unchanged." in out
    assert "changed: Paleolithic period <http://www.yso.fi/onto/yso/p12484>: external links, labels, broader" in out


def test_a_big_vocabulary_shows_its_tree_a_level_at_a_time(web, monkeypatch):
    from taxonomy import views
    from tests.taxonomy import vocab

    vocabulary = vocab.build()
    monkeypatch.setattr(views, "TREE_WHOLE_LIMIT", 100)
    client = web("viewer")
    page = client.get(f"/vocabulary/{vocabulary.pk}/").content.decode()
    assert page.count('data-depth="0"') == 8 and 'data-depth="1"' not in page  # the subjects; old headings hidden
    animals = Term.objects.get(uri=vocab.SCHEME + "animals")
    url = f"/vocabulary/terms/{animals.pk}/children/?depth=0"
    assert f'data-children="{url}"' in page
    branch = client.get(url).content.decode()
    assert branch.count('data-depth="1"') == 7 and ">Animals group</a>" in branch
    assert client.get(f"/vocabulary/terms/{animals.pk + 100000}/children/").status_code == 404
