"""Suggested terms: made from what the analysers found, applied above the vocabulary's threshold, and decided
by people (accept, reject, map to another term, accept for every asset with the same suggestion)."""
from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from analysis.mapping import Candidate
from analysis.models import LabelMapping, TermSuggestion
from assets.models import Asset, AssetTerm, AssetVersion
from search import index
from taxonomy.models import Term, normalize_label


def suggest(*, asset: Asset, version: AssetVersion | None, found: Iterable[Candidate]) -> list[TermSuggestion]:
    """Record these candidates as the asset's suggestions; apply those at or above their vocabulary's threshold.

    A term the asset already carries from a person is not suggested; one someone accepted or rejected is not
    asked about again; a pending or applied one keeps the best confidence seen.
    """
    found = list(found)
    if not found:
        return []
    terms = Term.objects.select_related("vocabulary").in_bulk([c.term_id for c in found])
    human = set(AssetTerm.objects.filter(asset=asset, source=AssetTerm.Source.HUMAN).values_list("term_id",
                                                                                                 flat=True))
    existing = {s.term_id: s for s in TermSuggestion.objects.filter(asset=asset, term_id__in=list(terms))}
    made, applied = [], []
    with transaction.atomic(), index.coalesced():
        for candidate in found:
            term = terms.get(candidate.term_id)
            if term is None or term.pk in human:
                continue
            row = existing.get(term.pk)
            if row is not None and row.status in (TermSuggestion.Status.ACCEPTED, TermSuggestion.Status.REJECTED):
                continue
            if row is None:
                row = TermSuggestion(asset=asset, term=term)
            elif candidate.confidence <= row.confidence:
                continue
            row.version, row.analyser, row.raw_label = version, candidate.analyser, candidate.raw_label[:300]
            row.match, row.confidence = candidate.match, candidate.confidence
            threshold = term.vocabulary.auto_tag_threshold
            if threshold is not None and candidate.confidence >= threshold:
                row.status = TermSuggestion.Status.APPLIED
                link, _ = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={
                    "source": AssetTerm.Source.AUTO, "confidence": candidate.confidence})
                if link.source == AssetTerm.Source.AUTO and link.confidence != candidate.confidence:
                    link.confidence = candidate.confidence
                    link.save(update_fields=["confidence"])
                applied.append(term)
            row.save()
            made.append(row)
        if applied:
            audit.record("analysis.terms.applied", actor=None, target=asset,
                         terms=[{"label": t.label, "uri": t.uri} for t in applied],
                         version=version.number if version else None)
    return made


def _decidable(actor: User, suggestion: TermSuggestion) -> None:
    authority.require(actor, "decide", suggestion)


def _decided(suggestion: TermSuggestion, status: str, actor: User) -> None:
    suggestion.status, suggestion.decided_by, suggestion.decided_at = status, actor, timezone.now()
    suggestion.save(update_fields=["status", "decided_by", "decided_at"])


def _confirm_term(asset: Asset, term: Term, actor: User) -> None:
    """The term is on the asset as a person's: a machine's link becomes human once someone confirms it."""
    link, created = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={"added_by": actor})
    if not created and link.source != AssetTerm.Source.HUMAN:
        link.source, link.confidence, link.added_by = AssetTerm.Source.HUMAN, None, actor
        link.save(update_fields=["source", "confidence", "added_by"])


def suggestion_accept(*, suggestion: TermSuggestion, actor: User) -> TermSuggestion:
    """Put the suggested term on the asset as a confirmed (human) term."""
    _decidable(actor, suggestion)
    with transaction.atomic(), index.coalesced():
        suggestion = TermSuggestion.objects.select_for_update().select_related("asset", "term").get(pk=suggestion.pk)
        _confirm_term(suggestion.asset, suggestion.term, actor)
        _decided(suggestion, TermSuggestion.Status.ACCEPTED, actor)
        audit.record("analysis.suggestion.accepted", actor=actor, target=suggestion.asset,
                     term=suggestion.term.label, label=suggestion.raw_label, confidence=suggestion.confidence)
    return suggestion


def suggestion_accept_everywhere(*, suggestion: TermSuggestion, actor: User) -> int:
    """Accept this term on every asset it is suggested for and waits, that the actor may decide on. Returns how many."""
    _decidable(actor, suggestion)
    waiting = authority.visible(actor, TermSuggestion.objects.filter(
        term_id=suggestion.term_id, status__in=[TermSuggestion.Status.PENDING, TermSuggestion.Status.APPLIED]))
    accepted = 0
    with transaction.atomic(), index.coalesced():
        for row in waiting.select_related("asset", "term").select_for_update(of=("self",)):
            if authority.can(actor, "decide", row):
                _confirm_term(row.asset, row.term, actor)
                _decided(row, TermSuggestion.Status.ACCEPTED, actor)
                accepted += 1
        audit.record("analysis.suggestion.accepted_everywhere", actor=actor, target=suggestion.term,
                     term=suggestion.term.label, count=accepted)
    return accepted


def suggestion_reject(*, suggestion: TermSuggestion, actor: User) -> TermSuggestion:
    """Say the term is wrong for this asset: an automatic term it put on goes, and it is not suggested again."""
    _decidable(actor, suggestion)
    with transaction.atomic(), index.coalesced():
        suggestion = TermSuggestion.objects.select_for_update().select_related("asset", "term").get(pk=suggestion.pk)
        AssetTerm.objects.filter(asset=suggestion.asset, term=suggestion.term, source=AssetTerm.Source.AUTO).delete()
        _decided(suggestion, TermSuggestion.Status.REJECTED, actor)
        audit.record("analysis.suggestion.rejected", actor=actor, target=suggestion.asset,
                     term=suggestion.term.label, label=suggestion.raw_label)
    return suggestion


def suggestion_map(*, suggestion: TermSuggestion, term: Term, actor: User) -> TermSuggestion:
    """The label meant another term: reject this one, put `term` on the asset, and map the label to `term` for
    every later analysis."""
    _decidable(actor, suggestion)
    if term.is_deprecated:
        raise ValidationError({"term": [f"“{term}” is deprecated; choose an active term."]})
    with transaction.atomic(), index.coalesced():
        suggestion = TermSuggestion.objects.select_for_update().select_related("asset", "term").get(pk=suggestion.pk)
        AssetTerm.objects.filter(asset=suggestion.asset, term=suggestion.term, source=AssetTerm.Source.AUTO).delete()
        _decided(suggestion, TermSuggestion.Status.REJECTED, actor)
        _confirm_term(suggestion.asset, term, actor)
        LabelMapping.objects.update_or_create(normalized_label=normalize_label(suggestion.raw_label)[:300],
                                              defaults={"term": term, "created_by": actor})
        TermSuggestion.objects.update_or_create(asset=suggestion.asset, term=term, defaults={
            "version": suggestion.version, "analyser": suggestion.analyser, "raw_label": suggestion.raw_label,
            "match": TermSuggestion.Match.LEARNT, "confidence": suggestion.confidence,
            "status": TermSuggestion.Status.ACCEPTED, "decided_by": actor, "decided_at": timezone.now()})
        audit.record("analysis.suggestion.mapped", actor=actor, target=suggestion.asset,
                     label=suggestion.raw_label, rejected=suggestion.term.label, term=term.label)
    return suggestion
