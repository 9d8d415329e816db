"""Vocabularies kept in spreadsheets: CSV to a SKOS graph (so it passes the same checks) and back; cells
that a spreadsheet would run as formulas are neutralised on the way out (dam.spreadsheets)."""
from __future__ import annotations

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

from dam import spreadsheets
from taxonomy.models import Term, Vocabulary
from taxonomy.skos import Problem, SkosError, literal

# One row per term. Columns: uri, pref_label[@lang], alt_label[@lang], hidden_label[@lang]
# (several labels separated by "|"), broader and related (URIs separated by "|"),
# notation, scope_note, definition, status (active/deprecated), replaced_by.

CSV_SEPARATOR = "|"


def csv_to_graph(text: str, *, scheme_uri: str, title: str, language: str = "en") -> tuple[Graph, dict[str, int]]:
    """Turn a spreadsheet into a SKOS graph (and the row of each term) so it goes through the same checks."""
    graph = Graph()
    scheme = URIRef(scheme_uri)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, literal(title, language)))
    reader = spreadsheets.Reader(text)
    if not reader.fieldnames or "uri" not in reader.fieldnames:
        raise SkosError([Problem("The CSV needs a header row with at least 'uri' and 'pref_label' columns.", line=1)])
    rows: dict[str, int] = {}
    errors: list[Problem] = []
    for number, row in enumerate(reader, start=2):
        uri = (row.get("uri") or "").strip()
        if not uri:
            errors.append(Problem("The row has no uri.", line=number))
            continue
        rows[uri] = number
        node = URIRef(uri)
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        for column, value in row.items():
            if column is None or value is None or not value.strip():
                continue
            name, _, lang = column.strip().partition("@")
            values = [v.strip() for v in value.split(CSV_SEPARATOR) if v.strip()]
            kind = {"pref_label": SKOS.prefLabel, "alt_label": SKOS.altLabel, "hidden_label": SKOS.hiddenLabel}
            if name in kind:
                for v in values:
                    graph.add((node, kind[name], literal(v, lang)))
            elif name in ("broader", "related"):
                for v in values:
                    graph.add((node, SKOS.broader if name == "broader" else SKOS.related, URIRef(v)))
            elif name in ("scope_note", "definition"):
                graph.add((node, SKOS.scopeNote if name == "scope_note" else SKOS.definition,
                           literal(value.strip(), language)))
            elif name == "notation":
                graph.add((node, SKOS.notation, Literal(value.strip())))
            elif name == "status" and value.strip() == Term.Status.DEPRECATED:
                graph.add((node, OWL.deprecated, Literal(True, datatype=XSD.boolean)))
            elif name == "replaced_by":
                graph.add((node, DCTERMS.isReplacedBy, URIRef(value.strip())))
    if errors:
        raise SkosError(errors)
    return graph, rows


def vocabulary_csv(vocabulary: Vocabulary) -> str:
    """The vocabulary as one row per term, in the columns `csv_to_graph` reads."""
    terms = list(vocabulary.terms.select_related("replaced_by").prefetch_related("labels", "broader", "related"))
    languages = sorted({label.language for term in terms for label in term.labels.all()})
    columns = ["uri"] + [f"{kind}_label@{lang}" if lang else f"{kind}_label" for kind in ("pref", "alt", "hidden")
                         for lang in languages] + ["broader", "related", "notation", "scope_note", "definition",
                                                   "status", "replaced_by"]
    rows = []
    for term in terms:
        row = {"uri": term.uri, "broader": CSV_SEPARATOR.join(sorted(b.uri for b in term.broader.all())),
               "related": CSV_SEPARATOR.join(sorted(r.uri for r in term.related.all())),
               "notation": term.notation, "scope_note": term.scope_note, "definition": term.definition,
               "status": term.status, "replaced_by": term.replaced_by.uri if term.replaced_by else ""}
        for label in term.labels.all():
            column = f"{label.kind}_label@{label.language}" if label.language else f"{label.kind}_label"
            row[column] = CSV_SEPARATOR.join([*filter(None, [row.get(column, "")]), label.text])
        rows.append(row)
    return spreadsheets.write(columns, rows)
