"""SKOS in and out: parse a file with rdflib (within size limits), the plain data a reading gives, a graph back.

CSV goes through here too, turned into a graph by `taxonomy.vocabulary_csv`; reading and
validating a graph is `taxonomy.skos_reader`.

Nothing here writes to the database; `taxonomy.importing.vocabulary_import` applies
what a reading gives, in one transaction, only when there are no errors. The
export is the canonical form an import reads back unchanged, so export ->
import -> export gives an isomorphic graph.
"""
from __future__ import annotations

import gzip
import io
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from xml.sax import SAXParseException

from django.conf import settings
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS, XSD

from taxonomy import rdf_errors
from taxonomy.models import TermLabel, Vocabulary

FORMATS = {"turtle": "turtle", "ttl": "turtle", "xml": "xml", "rdf": "xml", "rdfxml": "xml", "owl": "xml",
           "nt": "nt", "ntriples": "nt", "n3": "n3", "jsonld": "json-ld", "json": "json-ld"}
# What an export can be asked for: (rdflib format, content type, file extension).
EXPORTS = {"turtle": ("turtle", "text/turtle; charset=utf-8", "ttl"),
           "xml": ("xml", "application/rdf+xml; charset=utf-8", "rdf"),
           "nt": ("nt", "application/n-triples; charset=utf-8", "nt"),
           "jsonld": ("json-ld", "application/ld+json; charset=utf-8", "jsonld")}
LABEL_KINDS = {SKOS.prefLabel: TermLabel.Kind.PREFERRED, SKOS.altLabel: TermLabel.Kind.ALTERNATIVE,
               SKOS.hiddenLabel: TermLabel.Kind.HIDDEN}
KIND_PREDICATES = {kind: predicate for predicate, kind in LABEL_KINDS.items()}
# Mapping properties point into other schemes by definition: always kept as URIs.
MAPPINGS = {"exactMatch": SKOS.exactMatch, "closeMatch": SKOS.closeMatch, "broadMatch": SKOS.broadMatch,
            "narrowMatch": SKOS.narrowMatch, "relatedMatch": SKOS.relatedMatch}
EXTERNAL_PREDICATES = {"broader": SKOS.broader, "narrower": SKOS.narrower, "related": SKOS.related,
                       "isReplacedBy": DCTERMS.isReplacedBy, **MAPPINGS}
NOTES = {"note": SKOS.note, "scopeNote": SKOS.scopeNote, "definition": SKOS.definition, "example": SKOS.example,
         "historyNote": SKOS.historyNote, "editorialNote": SKOS.editorialNote, "changeNote": SKOS.changeNote}
# Warnings of one kind are many in a slice of a big thesaurus: the summary counts them in one sentence.
WARNING_GROUPS = {
    "outside": "{n} reference(s) to concepts outside the file kept as external links",
    "outside-dropped": "{n} reference(s) to concepts outside the file dropped",
    "no-label": "{n} concept(s) without a preferred label named after another label or their URI",
    "other-scheme": "{n} concept(s) of schemes the file does not describe skipped",
    "no-scheme": "{n} concept(s) that name no scheme skipped",
    "collection": "{n} collection(s) not imported (their member concepts are)",
    "xl-missing": "{n} SKOS-XL label(s) that are not in the file skipped",
    "xl-unused": "{n} SKOS-XL label(s) that no concept uses skipped",
    "shared-label": "{n} preferred label(s) shared by two concepts of one scheme",
    "blank": "{n} blank node(s) skipped",
    "note": "{n} note(s) that are not text skipped",
}
# A DOCTYPE may name namespaces (<!ENTITY skos "http://...">), as OWL files do; nested, parameter or
# external entities are what entity-expansion attacks are made of, and no vocabulary needs them.
ENTITY = re.compile(rb"<!ENTITY\s+(%\s+)?[^\s>]+\s+(SYSTEM|PUBLIC)?\s*(\"[^\"]*\"|'[^']*')?", re.IGNORECASE)


def max_bytes() -> int:
    """The largest vocabulary file (after decompression) an import reads: DAM_VOCABULARY_MAX_MB."""
    return int(settings.DAM_VOCABULARY_MAX_MB) * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a file, with where it is; `group` gathers warnings of one kind."""

    message: str
    subject: str = ""
    line: int | None = None
    group: str = ""

    def __str__(self) -> str:
        where = [f"line {self.line}" if self.line else "", f"<{self.subject}>" if self.subject else ""]
        prefix = " ".join(w for w in where if w)
        return f"{prefix}: {self.message}" if prefix else self.message


def summarize(warnings: list[Problem]) -> list[str]:
    """The warnings as a few sentences: one per group with its count, then each ungrouped warning."""
    counts = Counter(w.group for w in warnings if w.group in WARNING_GROUPS)
    lines = [WARNING_GROUPS[group].format(n=f"{n:,}") + "." for group, n in sorted(counts.items(),
                                                                                     key=lambda kv: -kv[1])]
    return lines + [str(w) for w in warnings if w.group not in WARNING_GROUPS]


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
    # Every note of the file as (kind, language, text); split by `split_notes` into the two fields above (the
    # vocabulary's language) and `notes` (all the others, kept so an export gives them back).
    all_notes: list[tuple[str, str, str]] = field(default_factory=list)
    notes: dict[str, list[list[str]]] = field(default_factory=dict)
    broader: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    deprecated: bool = False
    replaced_by: str = ""
    external: dict[str, list[str]] = field(default_factory=dict)

    def label_in(self, language: str) -> str:
        """The preferred label in `language` (or its region variants, en -> en-GB), else untagged, else any."""
        prefs = sorted((lang, text) for kind, lang, text in self.labels if kind == TermLabel.Kind.PREFERRED)
        primary = language.split("-")[0].lower()
        for test in (lambda lang: lang == language, lambda lang: lang.split("-")[0].lower() == primary,
                     lambda lang: lang == ""):
            for lang, text in prefs:
                if test(lang):
                    return text
        return prefs[0][1] if prefs else ""

    def split_notes(self, language: str) -> None:
        self.scope_note = self.definition = ""
        self.notes = {}
        for kind, lang, text in self.all_notes:
            attr = {"scopeNote": "scope_note", "definition": "definition"}.get(kind)
            if attr and lang == language and not getattr(self, attr):
                setattr(self, attr, text)
            else:
                self.notes.setdefault(kind, []).append([lang, text])
        for entries in self.notes.values():
            entries.sort()


@dataclass
class SchemeData:
    uri: str
    title: str = ""
    description: str = ""
    language: str = ""
    concepts: dict[str, ConceptData] = field(default_factory=dict)
    declared: bool = True  # False: the file had no scheme; the importer named it (title and language stay as set)


@dataclass
class Reading:
    """What a file says, once validated: schemes with their concepts, and the warnings."""

    schemes: list[SchemeData]
    warnings: list[Problem]


# --- parsing -------------------------------------------------------------------

def guess_format(filename: str, explicit: str | None = None) -> str:
    name = filename.lower().removesuffix(".gz")
    name = (explicit or name.rsplit(".", 1)[-1]).lower()
    if name not in FORMATS:
        raise SkosError([Problem(f"Unknown RDF format {name!r}; use Turtle (.ttl), RDF/XML (.rdf, .xml), "
                                 "N-Triples (.nt) or JSON-LD (.jsonld), or the same gzip-compressed (.gz).")])
    return FORMATS[name]


def too_large(size: int) -> SkosError:
    return SkosError([Problem(f"The file is {size / 1024 / 1024:,.0f} MB; vocabulary files up to "
                              f"{max_bytes() // 1024 // 1024:,} MB can be imported (DAM_VOCABULARY_MAX_MB).")])


def check_size(size: int) -> None:
    """Refuse a file before reading it when it is larger than the limit."""
    if size > max_bytes():
        raise too_large(size)


def decompress(data: bytes) -> bytes:
    """The file's bytes, gunzipped when it is gzip-compressed; never more than the limit (a gzip bomb stops)."""
    if data[:2] != b"\x1f\x8b":
        check_size(len(data))
        return data
    limit = max_bytes()
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise SkosError([Problem("The file looks gzip-compressed but cannot be decompressed: it is damaged or "
                                 "incomplete.")]) from exc
    if len(out) > limit:
        raise too_large(len(out))
    return out


def _check_entities(data: bytes) -> None:
    head = data[:data.find(b"]>") + 2] if b"<!DOCTYPE" in data[:4096] else b""
    for match in ENTITY.finditer(head):
        parameter, external, value = match.group(1), match.group(2), match.group(3) or b""
        if parameter or external or b"&" in value or b"%" in value:
            raise SkosError([Problem("The XML declares entities that refer to other entities or to outside "
                                     "files; such files can expand to any size and are not read. Replace the "
                                     "entities by what they stand for.", line=data[:match.start()].count(b"\n") + 1)])


def parse(data: bytes, fmt: str) -> Graph:
    """Parse RDF; a broken file raises SkosError saying, in plain words, what is wrong and on which line."""
    graph = Graph()
    if fmt == "xml":
        _check_entities(data)
    try:
        graph.parse(data=data, format=fmt)
    except SAXParseException as exc:
        message, line = rdf_errors.xml_problem(exc, data)
        raise SkosError([Problem(message, line=line)]) from exc
    except Exception as exc:  # rdflib raises many types (BadSyntax, ParserError, ValueError...)
        message, line = rdf_errors.turtle_problem(exc)
        raise SkosError([Problem(message, line=line)]) from exc
    return graph


def namespace_of(uri: str) -> str:
    """The part of a scheme URI its own concepts start with ("http://x.org/s/" or "http://x.org/")."""
    cut = max(uri.rfind("/"), uri.rfind("#"))
    return uri[: cut + 1] if cut > len("https://") else uri


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
    namespace = namespace_of(vocabulary.uri)
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
        for name, entries in sorted((term.notes or {}).items()):
            if name in NOTES:
                for language, text in entries:
                    graph.add((node, NOTES[name], literal(text, language)))
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
    return graph_for(vocabulary).serialize(format=EXPORTS[fmt][0] if fmt in EXPORTS else guess_format("", fmt))
