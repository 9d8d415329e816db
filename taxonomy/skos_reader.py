"""Read concept schemes and concepts out of a parsed graph, as published thesauri write them.

Real files are slices of big thesauri: they refer to concepts the file does not hold, carry label
resources (SKOS-XL), collections and concepts of other schemes, and notes in every language. Such
things are kept (as external links, extra notes) or skipped, each with a warning; only a broken file
(a cycle in broader, two preferred labels in one language for one concept, a label that is not text)
is refused. Nothing here touches the database: `known(uri)` says which concepts the DAM already has.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from taxonomy.models import TermLabel, normalize_label
from taxonomy.skos import (
    LABEL_KINDS,
    MAPPINGS,
    NOTES,
    ConceptData,
    Problem,
    Reading,
    SchemeData,
    SkosError,
)

SKOSXL = Namespace("http://www.w3.org/2008/05/skos-xl#")
XL_KINDS = {SKOSXL.prefLabel: TermLabel.Kind.PREFERRED, SKOSXL.altLabel: TermLabel.Kind.ALTERNATIVE,
            SKOSXL.hiddenLabel: TermLabel.Kind.HIDDEN}
# Things that may sit in a scheme (skos:inScheme) without being concepts.
NOT_CONCEPTS = {SKOSXL.Label, SKOS.Collection, SKOS.OrderedCollection, SKOS.ConceptScheme}
TOKEN = re.compile(r"<([^<>\s]+)>|(?<![\w:/#<-])([A-Za-z][\w.-]*)?:([\w.-]*[\w-])")
Progress = Callable[[str, int, int], None]


class Locator:
    """The first line of the source text that names a subject; the text is indexed once, on first use."""

    def __init__(self, text: str, graph: Graph, rows: dict[str, int] | None = None):
        self.text = text
        self.namespaces = {prefix: str(ns) for prefix, ns in graph.namespaces()}
        self.rows = rows or {}
        self.index: dict[str, int] | None = None

    def _build(self) -> dict[str, int]:
        index: dict[str, int] = {}
        for number, line in enumerate(self.text.splitlines(), start=1):
            if "<" not in line and ":" not in line:
                continue
            for match in TOKEN.finditer(line):
                if match.group(1):
                    uri = match.group(1)
                else:
                    namespace = self.namespaces.get(match.group(2) or "")
                    if namespace is None:
                        continue
                    uri = namespace + match.group(3)
                index.setdefault(uri, number)
            for quoted in re.findall(r'"(https?://[^"\s]+)"', line):  # RDF/XML attributes
                index.setdefault(quoted, number)
        return index

    def __call__(self, uri: str) -> int | None:
        if uri in self.rows:
            return self.rows[uri]
        if self.index is None:
            self.index = self._build()
        return self.index.get(uri)


@dataclass
class _Context:
    graph: Graph
    locate: Locator
    known: Callable[[str], bool]
    external: str
    errors: list[Problem]
    warnings: list[Problem]
    in_file: set[str]

    def error(self, message: str, subject: str = "") -> None:
        self.errors.append(Problem(message, subject, self.locate(subject) if subject else None))

    def warn(self, message: str, subject: str = "", group: str = "") -> None:
        self.warnings.append(Problem(message, subject, self.locate(subject) if subject else None, group))

    def resolve(self, subject: str, predicate: str, target: object, data: ConceptData) -> str | None:
        """An in-file or in-DAM reference as its URI; any other kept as an external link (or dropped), warned."""
        if not isinstance(target, URIRef):
            self.warn(f"skos:{predicate} points at a blank node, which cannot be referred to; skipped.", subject,
                      "blank")
            return None
        uri = str(target)
        if uri in self.in_file or self.known(uri):
            return uri
        if self.external == "keep":
            data.external.setdefault(predicate, []).append(uri)
            self.warn(f"skos:{predicate} <{uri}> is outside the file and the DAM; kept as an external link.",
                      subject, "outside")
        else:
            self.warn(f"skos:{predicate} <{uri}> is outside the file and the DAM; dropped.", subject,
                      "outside-dropped")
        return None


def _schemes(graph: Graph, fallback: tuple[str, str, str] | None) -> dict[str, SchemeData]:
    schemes: dict[str, SchemeData] = {}
    for node in graph.subjects(RDF.type, SKOS.ConceptScheme):
        if not isinstance(node, URIRef):
            continue
        titles = sorted([o for o in graph.objects(node, SKOS.prefLabel) if isinstance(o, Literal)] or [
            o for o in graph.objects(node, DCTERMS.title) if isinstance(o, Literal)],
            key=lambda t: (t.language or "", str(t)))
        title = titles[0] if titles else None
        descriptions = [o for o in graph.objects(node, DCTERMS.description) if isinstance(o, Literal)]
        schemes[str(node)] = SchemeData(uri=str(node), title=str(title) if title is not None else str(node),
                                        description=str(descriptions[0]) if descriptions else "",
                                        language=(title.language or "") if title is not None else "")
    if not schemes and fallback is not None:
        given_uri, given_title, given_language = fallback
        schemes[given_uri] = SchemeData(uri=given_uri, title=given_title or given_uri, language=given_language,
                                        declared=False)
    if not schemes:
        raise SkosError([Problem("The file has no skos:ConceptScheme; a vocabulary needs one. To import its "
                                 "concepts anyway, give the URI and title of the vocabulary they belong to.")])
    return schemes


def _local_name(uri: str) -> str:
    return re.split(r"[/#:]", uri.rstrip("/#"))[-1] or uri


def _labels(ctx: _Context, node: URIRef, data: ConceptData, xl_used: set[object]) -> None:
    graph, uri = ctx.graph, str(node)
    seen: set[tuple[str, str, str]] = set()
    errors_before = len(ctx.errors)

    def add(kind: str, value: Literal) -> None:
        text = " ".join(str(value).split())
        key = (kind, value.language or "", text)
        if text and key not in seen:
            seen.add(key)
            data.labels.append(key)

    for predicate, kind in LABEL_KINDS.items():
        for value in graph.objects(node, predicate):
            if not isinstance(value, Literal):
                ctx.error(f"skos:{predicate.split('#')[-1]} must be a text, not a link to <{value}>.", uri)
            elif not str(value).strip():
                ctx.warn(f"An empty skos:{predicate.split('#')[-1]} was skipped.", uri, "empty-label")
            else:
                add(kind, value)
    for predicate, kind in XL_KINDS.items():
        for label in graph.objects(node, predicate):
            xl_used.add(label)
            forms = [o for o in graph.objects(label, SKOSXL.literalForm) if isinstance(o, Literal)]
            if not forms:
                ctx.warn(f"skosxl:{predicate.split('#')[-1]} <{label}> is not described in the file; skipped.",
                         uri, "xl-missing")
            for form in forms:
                add(kind, form)
    prefs = [lang for kind, lang, _ in data.labels if kind == TermLabel.Kind.PREFERRED]
    for language in sorted(set(prefs)):
        if prefs.count(language) > 1:
            ctx.error(f"Two skos:prefLabel in language {language or '(none)'!r}; SKOS allows one.", uri)
    if not prefs and len(ctx.errors) == errors_before:
        others = [label for label in data.labels if label[0] == TermLabel.Kind.ALTERNATIVE] or [
            label for label in data.labels if label[0] == TermLabel.Kind.HIDDEN]
        if others:
            data.labels.remove(others[0])
            data.labels.append((TermLabel.Kind.PREFERRED, others[0][1], others[0][2]))
            named = f"its label “{others[0][2]}”"
        else:
            data.labels.append((TermLabel.Kind.PREFERRED, "", _local_name(uri)))
            named = f"“{_local_name(uri)}”, the end of its URI"
        ctx.warn(f"The concept has no skos:prefLabel; it is named {named}.", uri, "no-label")


def _notes(ctx: _Context, node: URIRef, data: ConceptData) -> None:
    for name, predicate in NOTES.items():
        for value in ctx.graph.objects(node, predicate):
            if isinstance(value, BNode):  # a structured note: [ rdf:value "…"@en ; dct:creator … ]
                value = next((v for v in ctx.graph.objects(value, RDF.value) if isinstance(v, Literal)), value)
            if isinstance(value, Literal) and str(value).strip():
                data.all_notes.append((name, value.language or "", str(value)))
            elif not isinstance(value, Literal):
                ctx.warn(f"A skos:{name} that is not a text (and has no rdf:value) was skipped.", str(node), "note")


def _concept_nodes(ctx: _Context, schemes: dict[str, SchemeData], fallback: bool) -> dict[URIRef, SchemeData]:
    """Each concept of the file with the scheme it is imported into; the others skipped with a warning."""
    graph = ctx.graph
    typed = set(graph.subjects(RDF.type, SKOS.Concept))
    placed = set(graph.subjects(SKOS.inScheme, None)) | set(graph.subjects(SKOS.topConceptOf, None))
    not_concepts = {n for n in placed - typed if any(t in NOT_CONCEPTS for t in graph.objects(n, RDF.type))}
    chosen: dict[URIRef, SchemeData] = {}
    for node in sorted((typed | placed) - not_concepts - {URIRef(u) for u in schemes}, key=str):
        if not isinstance(node, URIRef):
            ctx.warn("A concept without a URI (a blank node) cannot be referred to; skipped.", group="blank")
            continue
        named = {str(s) for s in graph.objects(node, SKOS.inScheme)} | {
            str(s) for s in graph.objects(node, SKOS.topConceptOf)}
        ours = sorted(named & set(schemes))
        if ours:
            chosen[node] = schemes[ours[0]]
        elif fallback or (len(schemes) == 1 and not named):
            chosen[node] = next(iter(schemes.values()))
        elif named:
            ctx.warn(f"The concept belongs to <{sorted(named)[0]}>, a scheme this file does not describe; skipped.",
                     str(node), "other-scheme")
        else:
            ctx.warn("The concept names no scheme and the file has several; skipped.", str(node), "no-scheme")
    for collection in sorted(set(graph.subjects(RDF.type, SKOS.Collection)) |
                             set(graph.subjects(RDF.type, SKOS.OrderedCollection)), key=str):
        members = len(set(graph.objects(collection, SKOS.member)))
        ctx.warn(f"skos:Collection with {members} member(s) is not imported (its member concepts are).",
                 str(collection) if isinstance(collection, URIRef) else "", "collection")
    return chosen


def read(graph: Graph, text: str, *, known: Callable[[str], bool], external: str = "keep",
         rows: dict[str, int] | None = None, fallback_scheme: tuple[str, str, str] | None = None,
         progress: Progress | None = None) -> Reading:
    """Read and validate the schemes and concepts of a graph; raise SkosError listing every reason to refuse it.

    `known(uri)`: the concept exists in the DAM. `external`: "keep" references to concepts that are neither in
    the file nor in the DAM as external links, or "drop" them. `fallback_scheme` = (uri, title, language) of
    the vocabulary that concepts of a file without a skos:ConceptScheme go into.
    """
    ctx = _Context(graph, Locator(text, graph, rows), known, external, [], [], set())
    schemes = _schemes(graph, fallback_scheme)
    declared = any(True for _ in graph.subjects(RDF.type, SKOS.ConceptScheme))
    chosen = _concept_nodes(ctx, schemes, fallback=fallback_scheme is not None and not declared)
    ctx.in_file = {str(n) for n in chosen}
    xl_used: set[object] = set()
    concepts: dict[str, ConceptData] = {}
    for done, (node, scheme) in enumerate(chosen.items()):
        if progress is not None and done % 1000 == 0:
            progress("read", done, len(chosen))
        uri = str(node)
        data = ConceptData(uri=uri, scheme=scheme.uri)
        _labels(ctx, node, data, xl_used)
        notations = [str(v) for v in graph.objects(node, SKOS.notation)]
        data.notation = sorted(notations)[0] if notations else ""
        if len(notations) > 1:
            ctx.warn(f"More than one skos:notation; kept {data.notation!r}.", uri, "notation")
        _notes(ctx, node, data)
        for target in graph.objects(node, SKOS.broader):
            if (found := ctx.resolve(uri, "broader", target, data)) is not None:
                data.broader.add(found)
        for target in graph.objects(node, SKOS.related):
            if (found := ctx.resolve(uri, "related", target, data)) is not None and found != uri:
                data.related.add(found)
        for target in graph.objects(node, SKOS.narrower):
            if isinstance(target, URIRef) and str(target) in ctx.in_file:
                continue  # folded into the narrower concept's broader below
            ctx.resolve(uri, "narrower", target, data)
        for name, predicate in MAPPINGS.items():
            for target in graph.objects(node, predicate):
                if isinstance(target, URIRef):
                    data.external.setdefault(name, []).append(str(target))
        deprecated = next(iter(graph.objects(node, OWL.deprecated)), None)
        data.deprecated = bool(deprecated is not None and str(deprecated).lower() in ("true", "1"))
        for replacement in graph.objects(node, DCTERMS.isReplacedBy):
            data.deprecated = True
            if isinstance(replacement, URIRef) and (str(replacement) in ctx.in_file or known(str(replacement))):
                data.replaced_by = str(replacement)
            else:
                ctx.resolve(uri, "isReplacedBy", replacement, data)
        concepts[uri] = data
        scheme.concepts[uri] = data
    for parent, child in graph.subject_objects(SKOS.narrower):
        if str(child) in concepts and (str(parent) in ctx.in_file or known(str(parent))):
            concepts[str(child)].broader.add(str(parent))
    for label in set(graph.subjects(RDF.type, SKOSXL.Label)) - xl_used:
        ctx.warn("A skosxl:Label that no concept of the file uses; skipped.", str(label), "xl-unused")
    for data in concepts.values():
        for name in data.external:
            data.external[name] = sorted(set(data.external[name]))
    _check_cycles(concepts, ctx)
    if ctx.errors:
        raise SkosError(sorted(ctx.errors, key=lambda p: (p.line or 0, p.subject, p.message)))
    _shared_labels(schemes, ctx)
    for scheme in schemes.values():
        if not scheme.language:
            languages = [lang for c in scheme.concepts.values() for kind, lang, _ in c.labels
                         if kind == TermLabel.Kind.PREFERRED and lang]
            scheme.language = max(sorted(set(languages)), key=languages.count) if languages else ""
        for data in scheme.concepts.values():
            data.split_notes(scheme.language)
    if progress is not None:
        progress("read", len(chosen), len(chosen))
    return Reading(schemes=list(schemes.values()), warnings=ctx.warnings)


def _check_cycles(concepts: dict[str, ConceptData], ctx: _Context) -> None:
    """A concept may not be (through its broader concepts) broader than itself; iterative, for deep trees."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()
    for start in sorted(concepts):
        if start in state:
            continue
        path: list[str] = []
        stack: list[tuple[str, list[str]]] = [(start, sorted(p for p in concepts[start].broader if p in concepts))]
        state[start] = 1
        path.append(start)
        while stack:
            uri, parents = stack[-1]
            if not parents:
                stack.pop()
                path.pop()
                state[uri] = 2
                continue
            parent = parents.pop(0)
            if state.get(parent) == 1:
                cycle = path[path.index(parent):]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    chain = " → ".join(f"<{u}>" for u in [*cycle, parent])
                    ctx.error(f"skos:broader forms a cycle: {chain}", parent)
            elif parent not in state:
                state[parent] = 1
                path.append(parent)
                stack.append((parent, sorted(p for p in concepts[parent].broader if p in concepts)))


def _shared_labels(schemes: dict[str, SchemeData], ctx: _Context) -> None:
    """Two concepts of one scheme with the same preferred label in one language are hard to tell apart."""
    for scheme in schemes.values():
        seen: dict[tuple[str, str], str] = {}
        for uri in sorted(scheme.concepts):
            for kind, language, text in scheme.concepts[uri].labels:
                if kind != TermLabel.Kind.PREFERRED:
                    continue
                key = (language, normalize_label(text))
                if key in seen and seen[key] != uri:
                    ctx.warn(f"Preferred label {text!r}@{language} is also the preferred label of <{seen[key]}>.",
                             uri, "shared-label")
                else:
                    seen[key] = uri
