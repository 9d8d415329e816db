"""Terms on assets: tagging, term proposals and their queue, embedded keywords, re-tagging after a merge.

Services in the house style (keyword-only actor, one transaction, one audit event).
They live on the assets side because they link the vocabulary to assets;
taxonomy below knows nothing of assets and tells us about merges through
`taxonomy.signals.terms_replaced`.
"""
from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset, AssetTerm, AssetVersion, TermProposal
from taxonomy import selectors as vocab
from taxonomy import services as vocab_services
from taxonomy.models import Term, TermLabel, Vocabulary

logger = logging.getLogger(__name__)


def resolve_terms(refs: list[Any]) -> list[Term]:
    """Terms by id or URI; unknown or deprecated ones are a ValidationError on "terms"."""
    terms, errors = [], []
    for ref in refs:
        term = vocab.resolve_term(ref, Term.objects.select_related("replaced_by"))
        if term is None:
            errors.append(f"No term {ref!r}.")
        elif term.is_deprecated:
            hint = f" Use “{term.replaced_by}” ({term.replaced_by.uri}) instead." if term.replaced_by else ""
            errors.append(f"“{term}” is deprecated.{hint}")
        elif term not in terms:
            terms.append(term)
    if errors:
        raise ValidationError({"terms": errors})
    return terms


def replace_human_terms(asset: Asset, terms: list[Term], *, actor: User | None) -> list[list[str]] | None:
    """Make `terms` the asset's human-assigned terms (machine ones stay); the [old, new] URIs, or None if same.

    Call inside the service that edits the asset (it holds the row lock and writes the audit event).
    """
    links = AssetTerm.objects.filter(asset=asset, source=AssetTerm.Source.HUMAN).select_related("term")
    old = sorted(link.term.uri for link in links)
    new = sorted(t.uri for t in terms)
    if old == new:
        return None
    wanted = {t.pk for t in terms}
    links.exclude(term_id__in=wanted).delete()
    # A term a machine suggested becomes a human one when a person confirms it.
    AssetTerm.objects.filter(asset=asset, term_id__in=wanted).update(source=AssetTerm.Source.HUMAN, confidence=None,
                                                                      added_by=actor)
    present = set(AssetTerm.objects.filter(asset=asset).values_list("term_id", flat=True))
    AssetTerm.objects.bulk_create([AssetTerm(asset=asset, term=t, added_by=actor) for t in terms
                                   if t.pk not in present])
    return [old, new]


def _tag(asset: Asset, term: Term, actor: User | None) -> bool:
    _, made = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={"added_by": actor})
    return made


# --- re-tagging when the vocabulary replaces a term ----------------------------------

def terms_retag(*, source_ids: list[int], target_id: int, actor: User | None, verb: str) -> int:
    """Move every asset's link from the source terms to the target term; returns how many assets changed.

    Runs inside the taxonomy transaction that merges or deprecates (see taxonomy.signals).
    """
    target = Term.objects.get(pk=target_id)
    changed = 0
    links = AssetTerm.objects.filter(term_id__in=source_ids).select_related("asset", "term")
    for link in links:
        if AssetTerm.objects.filter(asset_id=link.asset_id, term=target).exists():
            link.delete()
        else:
            AssetTerm.objects.filter(pk=link.pk).update(term=target)
        audit.record("assets.terms.retagged", actor=actor, target=link.asset, old=link.term.uri, new=target.uri,
                     reason=verb)
        changed += 1
    return changed


def on_terms_replaced(sender: Any, *, source_ids: list[int], target_id: int, actor: User | None, verb: str,
                      **kwargs: Any) -> None:
    terms_retag(source_ids=source_ids, target_id=target_id, actor=actor, verb=verb)


# --- proposals ----------------------------------------------------------------------------

@transaction.atomic
def proposal_create(*, asset: Asset, label: str, actor: User | None, note: str = "",
                    vocabulary: Vocabulary | None = None, language: str = "",
                    origin: str = TermProposal.Origin.PERSON) -> TermProposal:
    """Ask the librarians for a new term for this asset."""
    if actor is not None:
        authority.require(actor, "propose", Vocabulary)
        authority.access(actor, Asset.objects.all(), "view", pk=asset.pk)
    label = " ".join(label.split())
    if not label:
        raise ValidationError({"label": "Say which term you would like."})
    proposal = TermProposal.objects.create(asset=asset, vocabulary=vocabulary, label=label[:300], language=language,
                                           note=note, origin=origin, proposed_by=actor)
    audit.record("assets.term.proposed", actor=actor, target=asset, proposal=proposal.pk, label=proposal.label,
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


@transaction.atomic
def proposal_accept(*, proposal: TermProposal, vocabulary: Vocabulary, actor: User | None,
                    broader: list[Term] | None = None, label: str = "", note: str = "") -> Term:
    """Create the proposed term and tag the proposal's asset with it."""
    language = proposal.language or vocabulary.language
    term = vocab_services.term_create(vocabulary=vocabulary, actor=actor, broader=broader,
                                      labels=[(TermLabel.Kind.PREFERRED, language, label or proposal.label)])
    _resolve(proposal, actor=actor, status=TermProposal.Status.ACCEPTED, term=term, note=note)
    if proposal.asset is not None:
        _tag(proposal.asset, term, actor)
    audit.record("assets.proposal.accepted", actor=actor, target=proposal.asset, proposal=proposal.pk,
                 label=proposal.label, term=term.uri, proposed_by=proposal.proposed_by_id)
    return term


@transaction.atomic
def proposal_map(*, proposal: TermProposal, term: Term, actor: User | None, note: str = "") -> Term:
    """Answer a proposal with a term that already exists: the asset is tagged with it."""
    if term.is_deprecated:
        raise ValidationError({"term": f"“{term}” is deprecated; choose an active term."})
    _resolve(proposal, actor=actor, status=TermProposal.Status.MAPPED, term=term, note=note)
    if proposal.asset is not None:
        _tag(proposal.asset, term, actor)
    audit.record("assets.proposal.mapped", actor=actor, target=proposal.asset, proposal=proposal.pk,
                 label=proposal.label, term=term.uri, proposed_by=proposal.proposed_by_id)
    return term


@transaction.atomic
def proposal_reject(*, proposal: TermProposal, actor: User | None, note: str = "") -> None:
    """Turn a proposal down; the proposer sees it with the reason among their proposals."""
    _resolve(proposal, actor=actor, status=TermProposal.Status.REJECTED, term=None, note=note)
    audit.record("assets.proposal.rejected", actor=actor, target=proposal.asset, proposal=proposal.pk,
                 label=proposal.label, reason=note, proposed_by=proposal.proposed_by_id)


# --- embedded keywords at ingest ----------------------------------------------------------

@transaction.atomic
def keywords_apply(*, version_id: int) -> tuple[list[Term], list[str]]:
    """Tag a new version's asset with the terms its embedded keywords name; propose the rest. Safe to run twice."""
    version = AssetVersion.objects.select_related("asset").filter(pk=version_id).first()
    if version is None:
        return [], []
    keywords = (version.embedded_metadata or {}).get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    keywords = [str(k).strip() for k in keywords if str(k).strip()][:200]
    matches = vocab.match_keywords(keywords)
    asset = version.asset
    tagged = []
    for term in dict.fromkeys(t for t in matches.values() if t is not None):
        # The keyword came from the file, not from a person in the DAM: a machine link, fully confident.
        _, made = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={
            "source": AssetTerm.Source.AUTO, "confidence": 1.0})
        if made:
            tagged.append(term)
    pending = {p.casefold() for p in TermProposal.objects.filter(asset=asset).values_list("label", flat=True)}
    unmatched = []
    for keyword in dict.fromkeys(k for k, t in matches.items() if t is None):
        if keyword.casefold() not in pending:
            pending.add(keyword.casefold())
            TermProposal.objects.create(asset=asset, label=keyword[:300], origin=TermProposal.Origin.EMBEDDED,
                                        proposed_by=version.uploaded_by,
                                        note=f"Embedded keyword in {version.original_filename}")
            unmatched.append(keyword)
    if tagged or unmatched:
        audit.record("assets.keywords.matched", actor=None, target=asset, version=version.number,
                     tagged=[t.uri for t in tagged], proposed=unmatched)
    return tagged, unmatched


def on_version_created(sender: Any, *, version_id: int, **kwargs: Any) -> None:
    # The upload has committed by now; a failure here must not turn it into an error page.
    try:
        keywords_apply(version_id=version_id)
    except Exception:
        logger.exception("Matching embedded keywords of version %s failed", version_id)
