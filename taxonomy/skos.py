"""SKOS in and out: parse a file with rdflib, read and validate it into plain data, build a graph back.

CSV goes through here too, turned into a graph by `taxonomy.vocabulary_csv`.

Nothing here writes to the database; `taxonomy.services.vocabulary_import` applies
what `read` returns, in one transaction, only when there are no errors. The
export is the canonical form an import reads back unchanged, so export ->
import -> export gives an isomorphic graph.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from xml.sax import SAXParseException

from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

from taxonomy import rdf_errors
from taxonomy.models import TermLabel, Vocabulary, normalize_label

FORMATS = {"turtle": "turtle", "ttl": "turtle", "xml": "xml", "rdf": "xml", "rdfxml": "xml", "owl": "xml",
           "nt": "nt", "n3": "n3", "jsonld": "json-ld"}
LABEL_KINDS = {SKOS.prefLabel: TermLabel.Kind.PREFERRED, SKOS.altLabel: TermLabel.Kind.ALTERNATIVE,
               SKOS.hiddenLabel: TermLabel.Kind.HIDDEN}
KIND_PREDICATES = {kind: predicate for predicate, kind in LABEL_KINDS.items()}
# Mapping properties point into other schemes by definition: always kept as URIs.
MAPPINGS = {"exactMatch": SKOS.exactMatch, "closeMatch": SKOS.closeMatch, "broadMatch": SKOS.broadMatch,
            "narrowMatch": SKOS.narrowMatch, "relatedMatch": SKOS.relatedMatch}
EXTERNAL_PREDICATES = {"broader": SKOS.broader, "narrower": SKOS.narrower, "related": SKOS.related, **MAPPINGS}


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a file, with where it is."""

    message: str
    subject: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line else "", f"<{self.subject}>" if self.subject else ""]
        prefix = " ".join(w for w in where if w)
        return f"{prefix}: {self.message}" if prefix else self.message


class SkosError(Exception):
    """The file cannot be imported; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]) + (" …" if len(problems) > 5 else ""))


@dataclass
class ConceptData:
    uri: str
    scheme: str
    labels: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, language, text)
    notation: str = ""
    scope_note: str = ""
    definition: str = ""
    broader: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    deprecated: bool = False
    replaced_by: str = ""
    external: dict[str, list[str]] = field(default_factory=dict)

    def label_in(self, language: str) -> str:
        prefs = [(lang, text) for kind, lang, text in self.labels if kind == TermLabel.Kind.PREFERRED]
        for wanted in (language, ""):
            for lang, text in prefs:
                if lang == wanted:
                    return text
        return prefs[0][1] if prefs else ""


@dataclass
class SchemeData:
    uri: str
    title: str = ""
    description: str = ""
    language: str = ""
    concepts: dict[str, ConceptData] = field(default_factory=dict)


@dataclass
class Reading:
    """What a file says, once validated: schemes with their concepts, and the warnings."""

    schemes: list[SchemeData]
    warnings: list[Problem]


# --- parsing -------------------------------------------------------------------

def guess_format(filename: str, explicit: str | None = None) -> str:
    name = (explicit or filename.rsplit(".", 1)[-1]).lower()
    if name not in FORMATS:
        raise SkosError([Problem(f"Unknown RDF format {name!r}; use Turtle (.ttl) or RDF/XML (.rdf, .xml).")])
    return FORMATS[name]


def parse(data: bytes, fmt: str) -> Graph:
    """Parse RDF; a broken file raises SkosError saying, in plain words, what is wrong and on which line."""
    graph = Graph()
    try:
        graph.parse(data=data, format=fmt)
    except SAXParseException as exc:
        message, line = rdf_errors.xml_problem(exc, data)
        raise SkosError([Problem(message, line=line)]) from exc
    except Exception as exc:  # rdflib raises many types (BadSyntax, ParserError, ValueError...)
        message, line = rdf_errors.turtle_problem(exc)
        raise SkosError([Problem(message, line=line)]) from exc
    return graph


class _Locator:
    """Finds the line of the source text where a subject is described (best effort)."""

    def __init__(self, text: str, graph: Graph, rows: dict[str, int] | None = None):
        self.lines = text.splitlines()
        self.namespaces = [(prefix, str(ns)) for prefix, ns in graph.namespaces()]
        self.rows = rows or {}
        self.cache: dict[str, int | None] = {}

    def __call__(self, uri: str) -> int | None:
        if uri in self.rows:
            return self.rows[uri]
        if uri not in self.cache:
            needles = [f"<{uri}>", f'"{uri}"']
            for prefix, ns in self.namespaces:
                if uri.startswith(ns) and len(uri) > len(ns):
                    needles.append(f"{prefix}:{uri[len(ns):]}")
            self.cache[uri] = self._find(needles)
        return self.cache[uri]

    def _find(self, needles: list[str]) -> int | None:
        patterns = [re.compile(r"(?<![\w:/#-])" + re.escape(n) + r"(?![\w-])") for n in needles]
        for number, line in enumerate(self.lines, start=1):
            if any(p.search(line) for p in patterns):
                return number
        return None


def _namespace_of(uri: str) -> str:
    """The part of a scheme URI its own concepts start with ("http://x.org/s/" or "http://x.org/")."""
    cut = max(uri.rfind("/"), uri.rfind("#"))
    return uri[: cut + 1] if cut > len("https://") else uri


def _pick_note(values: list[Literal], language: str) -> tuple[str, list[Literal]]:
    """The note in the vocabulary's language (or untagged); the others are reported as dropped."""
    if not values:
        return "", []
    for wanted in (language, None, ""):
        for value in values:
            if (value.language or "") == (wanted or "") and (wanted is not None or not value.language):
                return str(value), [v for v in values if v is not value]
    return str(values[0]), values[1:]


def read(graph: Graph, text: str, *, known: Callable[[str], bool], external: str = "keep",
         rows: dict[str, int] | None = None) -> Reading:
    """Read concept schemes and concepts out of a graph and validate them; raise SkosError listing every problem.

    `known(uri)` says whether a concept already exists in the DAM (so references to it are fine);
    `external` is "keep" (store references to concepts outside the DAM as URIs) or "drop".
    """
    locate = _Locator(text, graph, rows)
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def problem(into: list[Problem], message: str, subject: str) -> None:
        into.append(Problem(message, subject, locate(subject)))

    schemes: dict[str, SchemeData] = {}
    for node in graph.subjects(RDF.type, SKOS.ConceptScheme):
        if not isinstance(node, URIRef):
            errors.append(Problem("A concept scheme needs a URI (blank nodes cannot be referred to)."))
            continue
        uri = str(node)
        titles = [o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)] or [
            o for o in graph.objects(node, DCTERMS.title) if isinstance(o, Literal)]
        title = titles[0] if titles else None
        descriptions = [o for o in graph.objects(node, DCTERMS.description) if isinstance(o, Literal)]
        schemes[uri] = SchemeData(uri=uri, title=str(title) if title is not None else uri,
                                  description=str(descriptions[0]) if descriptions else "",
                                  language=(title.language or "") if title is not None else "")
    if not schemes:
        raise SkosError([Problem("The file has no skos:ConceptScheme; a vocabulary needs one.")])

    concept_nodes = set(graph.subjects(RDF.type, SKOS.Concept)) | set(graph.subjects(SKOS.inScheme, None)) | set(
        graph.subjects(SKOS.topConceptOf, None))
    concept_nodes -= {URIRef(u) for u in schemes}
    in_file = {str(n) for n in concept_nodes if isinstance(n, URIRef)}
    if any(not isinstance(n, URIRef) for n in concept_nodes):
        errors.append(Problem("A concept is a blank node; every concept needs a URI."))
    namespaces = {_namespace_of(uri) for uri in schemes}

    def resolve(subject: str, predicate: str, target: str, data: ConceptData) -> str | None:
        """An in-DAM reference as its URI; an outside one kept (or dropped) with a warning; a broken one an error."""
        if target in in_file or known(target):
            return target
        if any(target.startswith(ns) for ns in namespaces):
            problem(errors, f"skos:{predicate} refers to <{target}>, which is neither in this file nor in the DAM.",
                    subject)
            return None
        if external == "keep":
            data.external.setdefault(predicate, []).append(target)
            problem(warnings, f"skos:{predicate} <{target}> is outside the DAM; kept as an external URI.", subject)
        else:
            problem(warnings, f"skos:{predicate} <{target}> is outside the DAM; dropped.", subject)
        return None

    concepts: dict[str, ConceptData] = {}
    for uri in sorted(in_file):
        node = URIRef(uri)
        scheme_uris = {str(s) for s in graph.objects(node, SKOS.inScheme)} | {
            str(s) for s in graph.objects(node, SKOS.topConceptOf)}
        ours = sorted(scheme_uris & set(schemes))
        if not ours:
            if len(schemes) == 1 and not scheme_uris:
                ours = list(schemes)
            else:
                problem(errors, "The concept is not in a concept scheme of this file.", uri)
                continue
        scheme = schemes[ours[0]]
        data = ConceptData(uri=uri, scheme=scheme.uri)
        for predicate, kind in LABEL_KINDS.items():
            for value in graph.objects(node, predicate):
                if not isinstance(value, Literal) or not str(value).strip():
                    problem(errors, f"skos:{predicate.split('#')[-1]} must be a non-empty text.", uri)
                    continue
                data.labels.append((kind, value.language or "", str(value).strip()))
        pref_languages = [lang for kind, lang, _ in data.labels if kind == TermLabel.Kind.PREFERRED]
        if not pref_languages:
            problem(errors, "The concept has no skos:prefLabel.", uri)
        for language in sorted(set(pref_languages)):
            if pref_languages.count(language) > 1:
                problem(errors, f"Two skos:prefLabel in language {language or '(none)'!r}; SKOS allows one.", uri)
        notations = [str(v) for v in graph.objects(node, SKOS.notation)]
        data.notation = notations[0] if notations else ""
        if len(notations) > 1:
            problem(warnings, f"More than one skos:notation; kept {data.notation!r}.", uri)
        for attr, predicate in (("scope_note", SKOS.scopeNote), ("definition", SKOS.definition)):
            note, dropped = _pick_note([v for v in graph.objects(node, predicate) if isinstance(v, Literal)],
                                       scheme.language)
            setattr(data, attr, note)
            for extra in dropped:
                problem(warnings, f"Only one skos:{predicate.split('#')[-1]} is kept; dropped "
                                  f"{str(extra)[:40]!r}@{extra.language or ''}.", uri)
        for target in graph.objects(node, SKOS.broader):
            if (found := resolve(uri, "broader", str(target), data)) is not None:
                data.broader.add(found)
        for target in graph.objects(node, SKOS.related):
            if (found := resolve(uri, "related", str(target), data)) is not None:
                data.related.add(found)
        for name, predicate in MAPPINGS.items():
            for target in graph.objects(node, predicate):
                data.external.setdefault(name, []).append(str(target))
        deprecated = next(iter(graph.objects(node, OWL.deprecated)), None)
        data.deprecated = bool(deprecated is not None and str(deprecated).lower() in ("true", "1"))
        replacement = next(iter(graph.objects(node, DCTERMS.isReplacedBy)), None)
        if replacement is not None:
            if str(replacement) in in_file or known(str(replacement)):
                data.replaced_by = str(replacement)
                data.deprecated = True
            else:
                problem(errors, f"dct:isReplacedBy refers to <{replacement}>, which is neither in this file nor "
                                "in the DAM.", uri)
        concepts[uri] = data
        scheme.concepts[uri] = data
    # skos:narrower is the inverse of skos:broader: fold it in.
    for parent, child in graph.subject_objects(SKOS.narrower):
        parent_uri, child_uri = str(parent), str(child)
        if child_uri in concepts and (parent_uri in in_file or known(parent_uri)):
            concepts[child_uri].broader.add(parent_uri)
        elif parent_uri in concepts and child_uri not in concepts:
            resolve(parent_uri, "narrower", child_uri, concepts[parent_uri])
    for data in concepts.values():
        for name in data.external:
            data.external[name] = sorted(set(data.external[name]))

    _check_cycles(concepts, errors, locate)
    _check_duplicate_labels(schemes.values(), errors, locate)
    if errors:
        raise SkosError(sorted(errors, key=lambda p: (p.line or 0, p.subject, p.message)))
    for scheme in schemes.values():
        if not scheme.language:
            languages = [lang for c in scheme.concepts.values() for kind, lang, _ in c.labels
                         if kind == TermLabel.Kind.PREFERRED and lang]
            scheme.language = max(set(languages), key=languages.count) if languages else ""
    return Reading(schemes=list(schemes.values()), warnings=warnings)


def _check_cycles(concepts: dict[str, ConceptData], errors: list[Problem], locate: _Locator) -> None:
    """A concept may not be (through its broader terms) broader than itself."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(uri: str, path: list[str]) -> None:
        state[uri] = 1
        path.append(uri)
        for parent in sorted(concepts[uri].broader):
            if parent not in concepts:
                continue
            if state.get(parent) == 1:
                cycle = path[path.index(parent):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    chain = " → ".join(f"<{u}>" for u in [*cycle, parent])
                    errors.append(Problem(f"skos:broader forms a cycle: {chain}", parent, locate(parent)))
            elif parent not in state:
                visit(parent, path)
        path.pop()
        state[uri] = 2

    for uri in sorted(concepts):
        if uri not in state:
            visit(uri, [])


def _check_duplicate_labels(schemes: Iterable[SchemeData], errors: list[Problem], locate: _Locator) -> None:
    """Two concepts of one scheme with the same preferred label in one language cannot be told apart."""
    for scheme in schemes:
        seen: dict[tuple[str, str], str] = {}
        for uri in sorted(scheme.concepts):
            for kind, language, text in scheme.concepts[uri].labels:
                if kind != TermLabel.Kind.PREFERRED:
                    continue
                key = (language, normalize_label(text))
                if key in seen and seen[key] != uri:
                    errors.append(Problem(f"Preferred label {text!r}@{language} is also the preferred label of "
                                          f"<{seen[key]}> in the same scheme.", uri, locate(uri)))
                else:
                    seen[key] = uri


# --- export --------------------------------------------------------------------

def literal(text: str, language: str) -> Literal:
    return Literal(text, lang=language or None)


def graph_for(vocabulary: Vocabulary) -> Graph:
    """The vocabulary as a SKOS graph, in the form `read` takes back unchanged."""
    graph = Graph()
    graph.bind("skos", SKOS)
    graph.bind("dct", DCTERMS)
    graph.bind("owl", OWL)
    scheme = URIRef(vocabulary.uri)
    namespace = _namespace_of(vocabulary.uri)
    if namespace != vocabulary.uri or namespace.endswith(("/", "#")):
        graph.bind("", Namespace(namespace))
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, SKOS.prefLabel, literal(vocabulary.title, vocabulary.language)))
    if vocabulary.description:
        graph.add((scheme, DCTERMS.description, literal(vocabulary.description, vocabulary.language)))
    terms = list(vocabulary.terms.select_related("replaced_by").prefetch_related("labels", "broader", "related"))
    for term in terms:
        node = URIRef(term.uri)
        graph.add((node, RDF.type, SKOS.Concept))
        graph.add((node, SKOS.inScheme, scheme))
        broader = [b for b in term.broader.all()]
        if not any(b.vocabulary_id == vocabulary.pk for b in broader):
            graph.add((node, SKOS.topConceptOf, scheme))
        for label in term.labels.all():
            graph.add((node, KIND_PREDICATES[TermLabel.Kind(label.kind)], literal(label.text, label.language)))
        if term.notation:
            graph.add((node, SKOS.notation, Literal(term.notation)))
        if term.scope_note:
            graph.add((node, SKOS.scopeNote, literal(term.scope_note, vocabulary.language)))
        if term.definition:
            graph.add((node, SKOS.definition, literal(term.definition, vocabulary.language)))
        for parent in broader:
            graph.add((node, SKOS.broader, URIRef(parent.uri)))
        for other in term.related.all():
            graph.add((node, SKOS.related, URIRef(other.uri)))
        for name, uris in sorted((term.external_links or {}).items()):
            if name in EXTERNAL_PREDICATES:
                for uri in uris:
                    graph.add((node, EXTERNAL_PREDICATES[name], URIRef(uri)))
        if term.is_deprecated:
            graph.add((node, OWL.deprecated, Literal(True, datatype=XSD.boolean)))
        if term.replaced_by is not None:
            graph.add((node, DCTERMS.isReplacedBy, URIRef(term.replaced_by.uri)))
    return graph


def serialize(vocabulary: Vocabulary, fmt: str = "turtle") -> str:
    return graph_for(vocabulary).serialize(format=guess_format("", fmt))
