"""SKOS import errors say the cause in plain words, with the line; the import's summary lists what changed."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taxonomy import services, skos, tasks
from taxonomy.models import Term, VocabularyImport

pytestmark = pytest.mark.django_db

TURTLE = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://m.example/s/> .
ex: a skos:ConceptScheme ; skos:prefLabel "Messages"@en .
ex:a a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "Anchors"@en .
ex:b a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "Buoys"@en ; dct:created "2020" .
"""


def _problems(text: str, filename: str) -> list[skos.Problem]:
    with pytest.raises(skos.SkosError) as caught:
        services.vocabulary_import(data=text.encode(), filename=filename, actor=None)
    return caught.value.problems


def test_an_undeclared_turtle_prefix_is_named_with_its_line_and_the_fix():
    [problem] = _problems(TURTLE, "v.ttl")
    assert problem.line == 5
    assert problem.message == ("The prefix “dct:” is used but never declared. Add “@prefix dct: "
                               "<http://purl.org/dc/terms/> .” at the top of the file.")


def test_an_undeclared_rdf_xml_prefix_is_named_with_its_line():
    text = ('<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
            '  <skos:Concept rdf:about="https://m.example/s/a"><skos:prefLabel>A</skos:prefLabel></skos:Concept>\n'
            '</rdf:RDF>\n')
    [problem] = _problems(text, "v.rdf")
    assert problem.line == 3 and "“skos:” is used but never declared" in problem.message
    assert 'xmlns:skos="http://www.w3.org/2004/02/skos/core#"' in problem.message


def _web_import(client, data) -> str:
    """Send the import form, run its background job as the worker would, and read the job's page."""
    response = client.post("/vocabulary/import/", data)
    assert response.status_code == 302
    job = VocabularyImport.objects.latest("pk")
    tasks.vocabulary_import_task(job.pk)
    return client.get(response.url).content.decode()


def test_the_import_page_shows_the_cause_and_then_lists_what_was_created_and_updated(web):
    client = web("librarian")
    page = _web_import(client, {"file": SimpleUploadedFile("v.ttl", TURTLE.encode()),
                                "external": "keep"})
    assert "line 5" in page and "The prefix “dct:” is used but never declared" in page and "Bad syntax" not in page
    fixed = TURTLE.replace(' ; dct:created "2020"', "")
    page = _web_import(client, {"file": SimpleUploadedFile("v.ttl", fixed.encode()),
                                "external": "keep"})
    assert "2 term(s) added, 0 changed, 0 unchanged." in page and ">Anchors</a>" in page and ">Buoys</a>" in page
    changed = fixed.replace('"Buoys"@en', '"Buoys and floats"@en')
    preview = _web_import(client, {"file": SimpleUploadedFile("v.ttl", changed.encode()),
                                   "external": "keep", "dry_run": "on"})
    assert "This was a preview: nothing was changed." in preview and "1 would be changed" in preview
    assert Term.objects.get(uri="https://m.example/s/b").label == "Buoys"
    page = _web_import(client, {"file": SimpleUploadedFile("v.ttl", changed.encode()),
                                "external": "keep"})
    assert "0 term(s) added, 1 changed, 1 unchanged." in page
    updated = page.split("<h3>Changed</h3>", 1)[1]
    assert ">Buoys and floats</a> <span class=\"help\">(labels)</span>" in updated and "Anchors" not in updated
    assert Term.objects.get(uri="https://m.example/s/b").label == "Buoys and floats"
