"""Import a vocabulary file, or a newer release of one, into the DAM (a service: actor, one transaction, audited).

Terms are matched by URI. A re-import updates labels, notes, relations and deprecations in
place and reports what changed; terms the file no longer has are left as they are, or, when the
file is a whole release (`remove_missing`), removed: deleted when nothing uses them, deprecated
when assets do. A dry run does all of it and rolls back, so its report is exactly what the import
would do. References that an earlier import kept as external links become relations once the
concept they point at arrives.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from rdflib import URIRef

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from taxonomy import signals, skos, skos_reader, vocabulary_csv
from taxonomy.models import Term, TermLabel, Vocabulary, normalize_label

T = TypeVar("T")
CHUNK = 900  # under SQLite's limit of variables per statement
# The fields of a term an import sets, compared to tell a changed term from an unchanged one.
FIELDS = ("label", "notation", "scope_note", "definition", "external_links", "notes", "status")
RESOLVABLE = ("broader", "narrower", "related", "isReplacedBy")
CHANGE_NAMES = {"label": "name", "notation": "notation", "scope_note": "scope note", "definition": "definition",
                "external_links": "external links", "notes": "notes", "status": "status"}


def _chunks(items: Sequence[T] | Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    vocabularies: list[Vocabulary]
    created: int = 0
    updated: int = 0  # terms of the file already in the DAM, whether or not anything about them changed
    warnings: list[skos.Problem] = field(default_factory=list)
    created_terms: list[Term] = field(default_factory=list)
    changed_terms: list[Term] = field(default_factory=list)  # those whose fields, labels or relations changed
    changes: dict[str, list[str]] = field(default_factory=dict)  # uri -> what changed, in words
    deprecated_terms: list[Term] = field(default_factory=list)  # active before, deprecated now
    missing: list[Term] = field(default_factory=list)  # in the vocabulary, not in the file, left as they are
    removed: list[str] = field(default_factory=list)  # URIs deleted: the release no longer has them, nothing uses them
    resolved: int = 0  # external links that became relations
    dry_run: bool = False

    @property
    def unchanged(self) -> int:
        return self.updated - len(self.changed_terms)

    def summary(self) -> list[str]:
        """The report in sentences, one per kind of change."""
        would = "would be " if self.dry_run else ""
        lines = [f"{self.created:,} term(s) {would}added, {len(self.changed_terms):,} {would}changed, "
                 f"{self.unchanged:,} unchanged."]
        if self.deprecated_terms:
            lines.append(f"{len(self.deprecated_terms):,} term(s) {would}deprecated.")
        if self.removed:
            lines.append(f"{len(self.removed):,} term(s) that the source no longer has {would}deleted (no asset "
                         "used them).")
        if self.missing:
            lines.append(f"{len(self.missing):,} term(s) of the vocabulary are not in the file and "
                         f"{'would be' if self.dry_run else 'were'} left as they are.")
        if self.resolved:
            lines.append(f"{self.resolved:,} external link(s) from earlier imports {would}turned into relations.")
        return lines + skos.summarize(self.warnings)


def vocabulary_import(*, data: bytes, filename: str, actor: User | None, fmt: str | None = None,
                      external: str = "keep", csv_scheme: tuple[str, str, str] | None = None,
                      remove_missing: bool = False, dry_run: bool = False,
                      progress: skos_reader.Progress | None = None) -> ImportResult:
    """Import SKOS (Turtle, RDF/XML, N-Triples, JSON-LD, gzipped or not) or CSV; change nothing on any error.

    `csv_scheme` = (uri, title, language): the vocabulary a CSV file fills, or that the concepts of an RDF file
    without a skos:ConceptScheme go into. Raises skos.SkosError listing every problem with its line or subject.
    """
    if actor is not None:
        authority.require(actor, "import", Vocabulary)
    if external not in ("keep", "drop"):
        raise ValidationError({"external": "Choose keep or drop."})
    data = skos.decompress(data)
    rows: dict[str, int] | None = None
    if filename.lower().removesuffix(".gz").endswith(".csv") or fmt == "csv":
        if csv_scheme is None:
            raise skos.SkosError([skos.Problem("A CSV import needs the vocabulary's URI and title.")])
        text = data.decode("utf-8-sig", errors="replace")
        graph, rows = vocabulary_csv.csv_to_graph(text, scheme_uri=csv_scheme[0], title=csv_scheme[1],
                                                  language=csv_scheme[2])
    else:
        if progress is not None:
            progress("parse", 0, 1)
        graph = skos.parse(data, skos.guess_format(filename, fmt))
        text = data.decode("utf-8", errors="replace")
    mentioned = {str(node) for node in graph.all_nodes() if isinstance(node, URIRef)}
    known: set[str] = set()
    for batch in _chunks(sorted(mentioned)):
        known.update(Term.objects.filter(uri__in=batch).values_list("uri", flat=True))
    reading = skos_reader.read(graph, text, known=known.__contains__, external=external, rows=rows,
                               fallback_scheme=csv_scheme if rows is None else None, progress=progress)
    del graph, text
    with transaction.atomic():
        result = _apply(reading, actor, remove_missing=remove_missing, progress=progress)
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


def _old_state(terms: list[Term]) -> tuple[dict[int, set[tuple[str, str, str]]], dict[int, set[str]],
                                          dict[int, set[str]]]:
    """Labels, broader URIs and related URIs of existing terms, to tell what a re-import changes."""
    labels: dict[int, set[tuple[str, str, str]]] = {t.pk: set() for t in terms}
    broader: dict[int, set[str]] = {t.pk: set() for t in terms}
    related: dict[int, set[str]] = {t.pk: set() for t in terms}
    broader_model, related_model = Term.broader.through, Term.related.through
    for batch in _chunks([t.pk for t in terms]):
        for term_id, kind, language, text in TermLabel.objects.filter(term_id__in=batch).values_list(
                "term_id", "kind", "language", "text"):
            labels[term_id].add((kind, language, text))
        for term_id, uri in broader_model.objects.filter(from_term_id__in=batch).values_list(
                "from_term_id", "to_term__uri"):
            broader[term_id].add(uri)
        for term_id, uri in related_model.objects.filter(from_term_id__in=batch).values_list(
                "from_term_id", "to_term__uri"):
            related[term_id].add(uri)
    return labels, broader, related


def _ids(uris: Iterable[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for batch in _chunks(sorted(set(uris))):
        found.update(Term.objects.filter(uri__in=batch).values_list("uri", "pk"))
    return found


def _apply(reading: skos.Reading, actor: User | None, *, remove_missing: bool,
           progress: skos_reader.Progress | None) -> ImportResult:
    result = ImportResult(vocabularies=[], warnings=reading.warnings)
    for scheme in reading.schemes:
        vocabulary, made = Vocabulary.objects.get_or_create(
            uri=scheme.uri, defaults={"title": scheme.title[:300], "description": scheme.description,
                                      "language": scheme.language})
        if not made and scheme.declared:
            vocabulary.title, vocabulary.description = scheme.title[:300], scheme.description
            vocabulary.language = scheme.language
            vocabulary.save(update_fields=["title", "description", "language", "updated_at"])
        elif not made:
            scheme.language = vocabulary.language
            for concept in scheme.concepts.values():
                concept.split_notes(vocabulary.language)
        result.vocabularies.append(vocabulary)
        stats = _apply_scheme(scheme, vocabulary, result, progress)
        if remove_missing:
            _remove_missing(vocabulary, scheme, result)
        else:
            in_file = set(scheme.concepts)
            result.missing += [t for t in vocabulary.terms.only("pk", "uri", "label", "vocabulary_id")
                               if t.uri not in in_file]
        audit.record("taxonomy.vocabulary.imported", actor=actor, target=vocabulary, **stats,
                     removed=len(result.removed), warnings=skos.summarize(reading.warnings)[:100])
    result.resolved = _resolve_external_links({t.uri: t.pk for t in result.created_terms})
    ids = sorted(v.pk for v in result.vocabularies)
    transaction.on_commit(lambda: [signals.vocabulary_changed.send(sender=Vocabulary, vocabulary_id=i) for i in ids])
    return result


def _apply_scheme(scheme: skos.SchemeData, vocabulary: Vocabulary, result: ImportResult,
                  progress: skos_reader.Progress | None) -> dict[str, Any]:
    concepts = scheme.concepts
    total = len(concepts)
    existing: dict[str, Term] = {}
    for batch in _chunks(list(concepts)):
        existing.update((t.uri, t) for t in Term.objects.filter(uri__in=batch).select_related("replaced_by"))
    old_labels, old_broader, old_related = _old_state(list(existing.values()))
    # skos:related is symmetric: a concept is related to those it names and to those that name it.
    related: dict[str, set[str]] = {uri: set(c.related) for uri, c in concepts.items()}
    for uri, concept in concepts.items():
        for other in concept.related:
            if other in related:
                related[other].add(uri)
    new: list[Term] = []
    changed: list[Term] = []
    relabel: set[str] = set()
    rebroader: set[str] = set()
    rerelate: set[str] = set()
    for uri, concept in concepts.items():
        values = {"label": concept.label_in(scheme.language)[:300], "notation": concept.notation[:100],
                  "scope_note": concept.scope_note, "definition": concept.definition,
                  "external_links": concept.external, "notes": concept.notes,
                  "status": Term.Status.DEPRECATED if concept.deprecated else Term.Status.ACTIVE}
        labels = {(k, lang, text[:300]) for k, lang, text in concept.labels}
        term = existing.get(uri)
        if term is None:
            new.append(Term(uri=uri, vocabulary=vocabulary, **values))
            relabel.add(uri)
            rebroader.add(uri)
            rerelate.add(uri)
            continue
        what = [CHANGE_NAMES[name] for name, value in values.items() if getattr(term, name) != value]
        if term.vocabulary_id != vocabulary.pk:
            what.append("vocabulary")
        if old_labels[term.pk] != labels:
            what = [w for w in what if w != "name"] + ["labels"]
            relabel.add(uri)
        if old_broader[term.pk] != concept.broader:
            what.append("broader")
            rebroader.add(uri)
        if old_related[term.pk] != related[uri]:
            what.append("related")
            rerelate.add(uri)
        if (term.replaced_by.uri if term.replaced_by is not None else "") != concept.replaced_by:
            what.append("replaced by")
        if values["status"] == Term.Status.DEPRECATED and term.status == Term.Status.ACTIVE:
            result.deprecated_terms.append(term)
        result.updated += 1
        if what:
            for name, value in values.items():
                setattr(term, name, value)
            term.vocabulary = vocabulary
            changed.append(term)
            result.changes[uri] = what
    Term.objects.bulk_create(new, batch_size=1000)
    Term.objects.bulk_update(changed, ["vocabulary", *FIELDS], batch_size=1000)
    result.created += len(new)
    result.created_terms += new
    result.changed_terms += changed
    result.deprecated_terms += [t for t in new if t.status == Term.Status.DEPRECATED]
    if progress is not None:
        progress("write", total // 2, total)
    ids = _ids([*concepts, *(c.replaced_by for c in concepts.values() if c.replaced_by),
                *(b for uri in rebroader for b in concepts[uri].broader),
                *(r for uri in rerelate for r in related[uri])])
    _write_relations(concepts, related, ids, relabel, rebroader, rerelate)
    if progress is not None:
        progress("write", total, total)
    return {"created": len(new), "updated": len(changed), "deprecated": len(result.deprecated_terms)}


def _insert(model: type[models.Model], columns: list[str], rows: list[tuple]) -> None:
    """Plain rows into a table, in one prepared statement run for every row: for a 50,000-concept thesaurus's
    quarter-million labels, bulk_create's per-value preparation and its many small statements took most of
    the write. A row already there is left as it is."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        for batch in _chunks(rows, 5000):
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING",  # noqa: S608
                               batch)


def _write_relations(concepts: dict[str, skos.ConceptData], related: dict[str, set[str]], ids: dict[str, int],
                     relabel: set[str], rebroader: set[str], rerelate: set[str]) -> None:
    for batch in _chunks(sorted(relabel)):
        TermLabel.objects.filter(term_id__in=[ids[u] for u in batch]).delete()
    _insert(TermLabel, ["term_id", "kind", "language", "text", "normalized"], [
        (ids[uri], kind, language, text[:300], normalize_label(text)[:300])
        for uri in sorted(relabel) for kind, language, text in sorted(set(concepts[uri].labels))])
    broader_model, related_model = Term.broader.through, Term.related.through
    for batch in _chunks(sorted(rebroader)):
        broader_model.objects.filter(from_term_id__in=[ids[u] for u in batch]).delete()
    _insert(broader_model, ["from_term_id", "to_term_id"],
            [(ids[uri], ids[parent]) for uri in sorted(rebroader) for parent in sorted(concepts[uri].broader)])
    for batch in _chunks(sorted(rerelate)):
        batch_ids = [ids[u] for u in batch]
        related_model.objects.filter(from_term_id__in=batch_ids).delete()
        related_model.objects.filter(to_term_id__in=batch_ids).delete()
    pairs = {(ids[uri], ids[other]) for uri in rerelate for other in related[uri]}
    # Relations of the re-related terms to terms outside this file were removed above from both ends: those the
    # file still states come back from `pairs`; the symmetric twin of every pair is added.
    pairs |= {(b, a) for a, b in pairs}
    _insert(related_model, ["from_term_id", "to_term_id"], sorted(pairs))
    replacements: dict[int | None, list[int]] = {}
    for uri, concept in concepts.items():
        replacements.setdefault(ids.get(concept.replaced_by) if concept.replaced_by else None, []).append(ids[uri])
    for replacement, term_ids in replacements.items():
        for id_batch in _chunks(term_ids):
            Term.objects.filter(pk__in=id_batch).exclude(replaced_by_id=replacement).update(replaced_by_id=replacement)


def _remove_missing(vocabulary: Vocabulary, scheme: skos.SchemeData, result: ImportResult) -> None:
    """The release no longer has these terms: delete those nothing uses, deprecate those assets use."""
    # vocabulary_id is read for every row of a related manager (its known related object): never defer it.
    gone = [t for t in vocabulary.terms.only("pk", "uri", "label", "status", "vocabulary_id")
            if t.uri not in scheme.concepts]
    used: set[int] = set()
    for batch in _chunks([t.pk for t in gone]):
        used.update(Term.objects.filter(pk__in=batch, asset_links__isnull=False).values_list("pk", flat=True))
    retire = [t for t in gone if t.pk in used and t.status == Term.Status.ACTIVE]
    for batch in _chunks([t.pk for t in retire]):
        Term.objects.filter(pk__in=batch).update(status=Term.Status.DEPRECATED)
    result.deprecated_terms += retire
    delete = [t for t in gone if t.pk not in used]
    for batch in _chunks([t.pk for t in delete]):
        Term.objects.filter(pk__in=batch).delete()
    result.removed += [t.uri for t in delete]


def _resolve_external_links(arrived: dict[str, int]) -> int:
    """Links kept as external URIs that point at concepts which have now arrived become real relations."""
    if not arrived:
        return 0
    broader_model, related_model = Term.broader.through, Term.related.through
    broader: set[tuple[int, int]] = set()
    related: set[tuple[int, int]] = set()
    updated: list[Term] = []
    count = 0
    for term_id, links in Term.objects.exclude(external_links={}).values_list("pk", "external_links").iterator(
            chunk_size=2000):
        if not isinstance(links, dict) or not any(u in arrived for name in RESOLVABLE for u in links.get(name, [])):
            continue
        term = Term(pk=term_id, external_links=dict(links))
        for name in RESOLVABLE:
            hits = [u for u in links.get(name, []) if u in arrived]
            count += len(hits)
            for uri in hits:
                other = arrived[uri]
                if name == "broader":
                    broader.add((term_id, other))
                elif name == "narrower":
                    broader.add((other, term_id))
                elif name == "related":
                    related |= {(term_id, other), (other, term_id)}
                else:
                    Term.objects.filter(pk=term_id).update(replaced_by_id=other)
            if hits:
                rest = [u for u in links[name] if u not in arrived]
                if rest:
                    term.external_links[name] = rest
                else:
                    del term.external_links[name]
        updated.append(term)
    broader_model.objects.bulk_create([broader_model(from_term_id=a, to_term_id=b) for a, b in sorted(broader)],
                                      ignore_conflicts=True)
    related_model.objects.bulk_create([related_model(from_term_id=a, to_term_id=b) for a, b in sorted(related)],
                                      ignore_conflicts=True)
    Term.objects.bulk_update(updated, ["external_links"], batch_size=1000)
    return count
