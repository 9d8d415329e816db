"""Terms on assets: the human-assigned terms, re-tagging after a merge, tagging when a proposal is answered.

The vocabulary below knows nothing of assets; it tells us through signals
(`taxonomy.signals`) when a merge replaces terms and when a librarian answers a
term proposal made for an asset, inside its own transaction.
"""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from accounts import audit
from accounts.models import User
from assets.models import Asset, AssetTerm
from taxonomy import selectors as vocab
from taxonomy.models import Term


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


def on_term_chosen(sender: Any, *, asset_id: int, term_id: int, actor: User | None, **kwargs: Any) -> None:
    """A librarian answered a proposal for this asset with a term: the asset carries it (a person chose it)."""
    AssetTerm.objects.get_or_create(asset_id=asset_id, term_id=term_id, defaults={"added_by": actor})


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
