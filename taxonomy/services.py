"""Changes to vocabularies and terms.

Each takes a keyword-only `actor` (None = the system), checks it with the permission
authority, runs in one transaction, writes one audit event with a `taxonomy.*` verb,
and announces the change with `signals.vocabulary_changed` once it has committed.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from taxonomy import signals
from taxonomy.models import Term, TermLabel, Vocabulary, normalize_label

Label = tuple[str, str, str]  # (kind, language, text)
VOCABULARY_EDITABLE = ("title", "description", "language", "auto_tag_threshold")
AUTO_TAG_DEFAULT: float | None = Vocabulary._meta.get_field("auto_tag_threshold").get_default()


def _check(actor: User | None, action: str, obj: Any) -> None:
    if actor is not None:
        authority.require(actor, action, obj)


def _announce(vocabulary_ids: set[int] | list[int]) -> None:
    ids = sorted(set(vocabulary_ids))
    transaction.on_commit(lambda: [signals.vocabulary_changed.send(sender=Vocabulary, vocabulary_id=i) for i in ids])


# --- vocabularies -------------------------------------------------------------------

@transaction.atomic
def vocabulary_create(*, uri: str, title: str, actor: User | None, language: str = "en",
                      description: str = "", auto_tag_threshold: float | None = AUTO_TAG_DEFAULT) -> Vocabulary:
    """Start a new, empty vocabulary (concept scheme)."""
    _check(actor, "create", Vocabulary)
    vocabulary = Vocabulary(uri=uri.strip(), title=title.strip(), language=language.strip(), description=description,
                            auto_tag_threshold=auto_tag_threshold)
    vocabulary.full_clean()
    vocabulary.save()
    audit.record("taxonomy.vocabulary.created", actor=actor, target=vocabulary, uri=vocabulary.uri)
    _announce([vocabulary.pk])
    return vocabulary


@transaction.atomic
def vocabulary_update(*, vocabulary: Vocabulary, actor: User | None, **fields: Any) -> Vocabulary:
    """Change a vocabulary's title, description, main language or auto-tag threshold (its URI is its identity
    and stays)."""
    _check(actor, "edit", vocabulary)
    changes = {}
    for name, value in fields.items():
        if name not in VOCABULARY_EDITABLE:
            raise ValidationError({name: "This field cannot be edited."})
        if getattr(vocabulary, name) != value:
            changes[name] = [getattr(vocabulary, name), value]
            setattr(vocabulary, name, value)
    if changes:
        vocabulary.full_clean()
        vocabulary.save(update_fields=[*changes, "updated_at"])
        audit.record("taxonomy.vocabulary.updated", actor=actor, target=vocabulary, changes=changes)
        _announce([vocabulary.pk])
    return vocabulary


# --- terms ----------------------------------------------------------------------------

def _clean_labels(labels: list[Label]) -> list[Label]:
    cleaned: list[Label] = []
    for kind, language, text in labels:
        text = " ".join(text.split())
        if text and (kind, language, text) not in cleaned:
            cleaned.append((TermLabel.Kind(kind).value, language.strip(), text))
    return cleaned


def _validate_labels(vocabulary: Vocabulary, labels: list[Label], *, exclude: Term | None = None) -> None:
    """One preferred label per language, and none already preferred by another term of the vocabulary."""
    prefs = [(language, text) for kind, language, text in labels if kind == TermLabel.Kind.PREFERRED]
    if not prefs:
        raise ValidationError({"pref_label": "A term needs a preferred label."})
    languages = [language for language, _ in prefs]
    for language in set(languages):
        if languages.count(language) > 1:
            raise ValidationError({"pref_label": f"Only one preferred label per language ({language or 'none'})."})
    for language, text in prefs:
        clash = TermLabel.objects.filter(term__vocabulary=vocabulary, kind=TermLabel.Kind.PREFERRED,
                                         language=language, normalized=normalize_label(text))
        if exclude is not None:
            clash = clash.exclude(term=exclude)
        other = clash.select_related("term").first()
        if other is not None:
            raise ValidationError({"pref_label": f"“{text}” is already the preferred label of “{other.term}”."})


def _set_labels(term: Term, labels: list[Label]) -> None:
    term.labels.all().delete()
    TermLabel.objects.bulk_create([TermLabel(term=term, kind=kind, language=language, text=text,
                                             normalized=normalize_label(text)) for kind, language, text in labels])


def _main_label(vocabulary: Vocabulary, labels: list[Label]) -> str:
    prefs = {language: text for kind, language, text in labels if kind == TermLabel.Kind.PREFERRED}
    return prefs.get(vocabulary.language) or prefs.get("") or next(iter(prefs.values()), "")


def _check_no_cycle(term: Term, broader: list[Term]) -> None:
    """A term may not sit below itself: none of the new broader terms may be the term or one of its narrower."""
    below = {term.pk}
    frontier = {term.pk}
    while frontier:
        frontier = set(Term.broader.through.objects.filter(to_term_id__in=frontier)
                       .values_list("from_term_id", flat=True)) - below
        below |= frontier
    loops = [b for b in broader if b.pk in below]
    if loops:
        raise ValidationError({"broader": f"“{loops[0]}” is {term} itself or below it; that would make a cycle."})


def _new_uri(vocabulary: Vocabulary, label: str) -> str:
    base = vocabulary.uri if vocabulary.uri.endswith(("/", "#")) else vocabulary.uri + "/"
    stem = slugify(label) or "term"
    uri, n = base + stem, 1
    while Term.objects.filter(uri=uri).exists():
        n += 1
        uri = f"{base}{stem}-{n}"
    return uri


@transaction.atomic
def term_create(*, vocabulary: Vocabulary, labels: list[Label], actor: User | None, uri: str = "",
                broader: list[Term] | None = None, related: list[Term] | None = None, notation: str = "",
                scope_note: str = "", definition: str = "") -> Term:
    """Add a term to a vocabulary, under the given broader terms (none: a top term)."""
    _check(actor, "create", vocabulary)
    labels = _clean_labels(labels)
    _validate_labels(vocabulary, labels)
    term = Term(vocabulary=vocabulary, uri=uri.strip() or _new_uri(vocabulary, _main_label(vocabulary, labels)),
                label=_main_label(vocabulary, labels), notation=notation, scope_note=scope_note,
                definition=definition)
    term.full_clean(exclude=["replaced_by"])
    term.save()
    _set_labels(term, labels)
    term.broader.set(broader or [])
    term.related.set(related or [])
    audit.record("taxonomy.term.created", actor=actor, target=term, uri=term.uri, vocabulary=vocabulary.pk,
                 broader=[b.uri for b in broader or []])
    _announce([vocabulary.pk])
    return term


@transaction.atomic
def term_update(*, term: Term, actor: User | None, labels: list[Label] | None = None,
                broader: list[Term] | None = None, related: list[Term] | None = None,
                **fields: str) -> Term:
    """Edit a term's labels, notes, notation or relations; only what is given changes."""
    _check(actor, "edit", term)
    term = Term.objects.select_for_update().get(pk=term.pk)
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in ("notation", "scope_note", "definition"):
            raise ValidationError({name: "This field cannot be edited."})
        if getattr(term, name) != value:
            changes[name] = [getattr(term, name), value]
            setattr(term, name, value)
    if labels is not None:
        labels = _clean_labels(labels)
        old = sorted((lb.kind, lb.language, lb.text) for lb in term.labels.all())
        if sorted(labels) != old:
            _validate_labels(term.vocabulary, labels, exclude=term)
            _set_labels(term, labels)
            term.label = _main_label(term.vocabulary, labels)
            changes["labels"] = [[list(x) for x in old], [list(x) for x in labels]]
    if broader is not None and {b.pk for b in broader} != set(term.broader.values_list("pk", flat=True)):
        _check_no_cycle(term, broader)
        changes["broader"] = [sorted(term.broader.values_list("uri", flat=True)), sorted(b.uri for b in broader)]
        term.broader.set(broader)
    if related is not None and {r.pk for r in related} != set(term.related.values_list("pk", flat=True)):
        if any(r.pk == term.pk for r in related):
            raise ValidationError({"related": "A term is not related to itself."})
        changes["related"] = [sorted(term.related.values_list("uri", flat=True)), sorted(r.uri for r in related)]
        term.related.set(related)
    if changes:
        term.save(update_fields=["label", "notation", "scope_note", "definition", "updated_at"])
        audit.record("taxonomy.term.updated", actor=actor, target=term, changes=changes)
        _announce([term.vocabulary_id])
    return term


@transaction.atomic
def term_move(*, term: Term, broader: list[Term], actor: User | None) -> Term:
    """Put a term under other broader terms (an empty list makes it a top term)."""
    _check(actor, "move", term)
    term = Term.objects.select_for_update().get(pk=term.pk)
    _check_no_cycle(term, broader)
    old = sorted(term.broader.values_list("uri", flat=True))
    term.broader.set(broader)
    audit.record("taxonomy.term.moved", actor=actor, target=term, old=old, new=sorted(b.uri for b in broader))
    _announce([term.vocabulary_id])
    return term


@transaction.atomic
def term_merge(*, source: Term, target: Term, actor: User | None) -> Term:
    """Fold `source` into `target`: assets re-tagged, its labels kept as alternative labels, history kept.

    The source term stays, deprecated and replaced by the target, so old links and
    exports still resolve and the audit trail keeps pointing at something.
    """
    _check(actor, "merge", target)
    if source.pk == target.pk:
        raise ValidationError({"target": "A term cannot be merged into itself."})
    locked = {t.pk: t for t in Term.objects.select_for_update().filter(pk__in=[source.pk, target.pk])}
    source, target = locked[source.pk], locked[target.pk]
    if source.is_deprecated:
        raise ValidationError({"source": f"“{source}” is already deprecated."})
    existing = {(lb.language, lb.normalized) for lb in target.labels.all()}
    moved = []
    for label in source.labels.all():
        if (label.language, label.normalized) in existing:
            continue
        kind = TermLabel.Kind.HIDDEN if label.kind == TermLabel.Kind.HIDDEN else TermLabel.Kind.ALTERNATIVE
        TermLabel.objects.create(term=target, kind=kind, language=label.language, text=label.text,
                                 normalized=label.normalized)
        existing.add((label.language, label.normalized))
        moved.append(label.text)
    # The source's narrower terms now sit under the target; its related terms relate to the target.
    for child in source.narrower.exclude(pk=target.pk):
        child.broader.remove(source)
        child.broader.add(target)
    for other in source.related.exclude(pk=target.pk):
        target.related.add(other)
    source.related.clear()
    _retire(source, target)
    signals.terms_replaced.send(sender=Term, source_ids=[source.pk], target_id=target.pk, actor=actor,
                                verb="merged")
    audit.record("taxonomy.term.merged", actor=actor, target=target, source=source.uri, source_id=source.pk,
                 labels_kept=moved)
    _announce({source.vocabulary_id, target.vocabulary_id})
    return target


def _retire(term: Term, replacement: Term | None) -> None:
    term.status = Term.Status.DEPRECATED
    term.replaced_by = replacement
    term.save(update_fields=["status", "replaced_by", "updated_at"])


@transaction.atomic
def term_deprecate(*, term: Term, actor: User | None, replacement: Term | None = None,
                   retag: bool = True) -> Term:
    """Mark a term deprecated ("use instead" `replacement`); its assets are re-tagged, or left to review."""
    _check(actor, "deprecate", term)
    term = Term.objects.select_for_update().get(pk=term.pk)
    if replacement is not None and (replacement.pk == term.pk or replacement.is_deprecated):
        raise ValidationError({"replacement": "Choose an active term other than this one."})
    _retire(term, replacement)
    if replacement is not None and retag:
        signals.terms_replaced.send(sender=Term, source_ids=[term.pk], target_id=replacement.pk, actor=actor,
                                    verb="deprecated")
    audit.record("taxonomy.term.deprecated", actor=actor, target=term,
                 replacement=replacement.uri if replacement else None, retagged=bool(replacement and retag))
    _announce([term.vocabulary_id])
    return term


@transaction.atomic
def term_reactivate(*, term: Term, actor: User | None) -> Term:
    """Undo a deprecation (the replacement link is dropped)."""
    _check(actor, "deprecate", term)
    Term.objects.filter(pk=term.pk).update(status=Term.Status.ACTIVE, replaced_by=None)
    term.refresh_from_db()
    audit.record("taxonomy.term.reactivated", actor=actor, target=term)
    _announce([term.vocabulary_id])
    return term


# The import of vocabulary files is most of this app's write code: it lives in taxonomy.importing, and its
# names stay reachable here for the callers that know them from here.
from taxonomy.importing import ImportResult, vocabulary_import  # noqa: E402, F401
