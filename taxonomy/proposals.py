"""Term proposals: someone asks the librarians for a term, for one asset; they accept, map or reject it.

Services in the house style (keyword-only actor, one transaction, one audit event).
Accepting or mapping a proposal also tags its asset with the term; the asset's terms
belong to the assets app above, so the news goes up through
`taxonomy.signals.term_chosen_for_asset`, inside this transaction: all or nothing.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from taxonomy import services as vocab_services
from taxonomy import signals
from taxonomy.models import Term, TermLabel, TermProposal, Vocabulary


def _tag_proposal_asset(proposal: TermProposal, term: Term, actor: User | None) -> None:
    if proposal.asset_id is not None:
        signals.term_chosen_for_asset.send(sender=TermProposal, asset_id=proposal.asset_id, term_id=term.pk,
                                           actor=actor)


@transaction.atomic
def proposal_create(*, asset: Any, label: str, actor: User | None, note: str = "",
                    vocabulary: Vocabulary | None = None, language: str = "",
                    origin: str = TermProposal.Origin.PERSON) -> TermProposal:
    """Ask the librarians for a new term, for this asset or (asset None: an integration's wish) for none."""
    if actor is not None:
        authority.require(actor, "propose", Vocabulary)
        if asset is not None:
            authority.require(actor, "view", asset)
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Say which term you would like."})
    proposal = TermProposal.objects.create(asset=asset, vocabulary=vocabulary, label=label[:300], language=language,
                                           note=note, origin=origin, proposed_by=actor)
    audit.record("assets.term.proposed", actor=actor, target=asset if asset is not None else proposal,
                 proposal=proposal.pk, label=proposal.label,
                 note=note, origin=origin)
    return proposal


def _resolve(proposal: TermProposal, *, actor: User | None, status: str, term: Term | None, note: str) -> None:
    if actor is not None:
        authority.require(actor, "create", Vocabulary)
    locked = TermProposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != TermProposal.Status.PENDING:
        raise ValidationError(f"This proposal was already {locked.get_status_display().lower()}.")
    proposal.status, proposal.term, proposal.resolution_note = status, term, note
    proposal.resolved_by, proposal.resolved_at = actor, timezone.now()
    proposal.save(update_fields=["status", "term", "resolution_note", "resolved_by", "resolved_at"])


def _need(proposals: list[TermProposal]) -> list[TermProposal]:
    if not proposals:
        raise ValidationError("Choose at least one proposal.")
    return proposals


# Identical proposals (the same wording, for several assets) get one decision: the plural services answer
# each of them in one transaction, all or none (if one was decided meanwhile, nothing changes), with one
# audit event per proposal since each concerns its own asset and proposer.

@transaction.atomic
def proposals_accept(*, proposals: list[TermProposal], vocabulary: Vocabulary, actor: User | None,
                     broader: list[Term] | None = None, label: str = "", note: str = "") -> Term:
    """Create the proposed term once and answer each of these proposals with it, tagging their assets."""
    first = _need(proposals)[0]
    language = first.language or vocabulary.language
    term = vocab_services.term_create(vocabulary=vocabulary, actor=actor, broader=broader,
                                      labels=[(TermLabel.Kind.PREFERRED, language, label or first.label)])
    for proposal in proposals:
        _resolve(proposal, actor=actor, status=TermProposal.Status.ACCEPTED, term=term, note=note)
        _tag_proposal_asset(proposal, term, actor)
        audit.record("assets.proposal.accepted", actor=actor, target=proposal.asset, proposal=proposal.pk,
                     label=proposal.label, term=term.uri, proposed_by=proposal.proposed_by_id)
    return term


@transaction.atomic
def proposals_map(*, proposals: list[TermProposal], term: Term, actor: User | None, note: str = "") -> Term:
    """Answer these proposals with a term that already exists: their assets are tagged with it."""
    if term.is_deprecated:
        raise ValidationError({"term": f"“{term}” is deprecated; choose an active term."})
    for proposal in _need(proposals):
        _resolve(proposal, actor=actor, status=TermProposal.Status.MAPPED, term=term, note=note)
        _tag_proposal_asset(proposal, term, actor)
        audit.record("assets.proposal.mapped", actor=actor, target=proposal.asset, proposal=proposal.pk,
                     label=proposal.label, term=term.uri, proposed_by=proposal.proposed_by_id)
    return term


@transaction.atomic
def proposals_reject(*, proposals: list[TermProposal], actor: User | None, note: str = "") -> int:
    """Turn these proposals down; each proposer sees it with the reason among their proposals."""
    for proposal in _need(proposals):
        _resolve(proposal, actor=actor, status=TermProposal.Status.REJECTED, term=None, note=note)
        audit.record("assets.proposal.rejected", actor=actor, target=proposal.asset, proposal=proposal.pk,
                     label=proposal.label, reason=note, proposed_by=proposal.proposed_by_id)
    return len(proposals)


def proposal_accept(*, proposal: TermProposal, vocabulary: Vocabulary, actor: User | None,
                    broader: list[Term] | None = None, label: str = "", note: str = "") -> Term:
    """Create the proposed term and tag the proposal's asset with it."""
    return proposals_accept(proposals=[proposal], vocabulary=vocabulary, actor=actor, broader=broader, label=label,
                            note=note)


def proposal_map(*, proposal: TermProposal, term: Term, actor: User | None, note: str = "") -> Term:
    """Answer a proposal with a term that already exists: the asset is tagged with it."""
    return proposals_map(proposals=[proposal], term=term, actor=actor, note=note)


def proposal_reject(*, proposal: TermProposal, actor: User | None, note: str = "") -> None:
    """Turn a proposal down; the proposer sees it with the reason among their proposals."""
    proposals_reject(proposals=[proposal], actor=actor, note=note)
