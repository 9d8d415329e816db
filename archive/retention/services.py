"""Retention: rules, their runs, legal holds, and the bin with its purge for good.

Everything here is admin work (DESIGN.md: "purge, users, settings"); the system (actor None) runs the
enabled rules and empties the bin on a schedule. Every change writes an audit event; a purge keeps them.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from accounts.permissions import Cap
from archive.models import BinEntry, LegalHold, RetentionRule, RetentionRun
from archive.retention import selectors
from assets.models import Asset, AssetVersion, Collection, Rendition, ReviewState, StorageTier
from assets.originals import tier_storage
from dam.errors import StateConflict
from distribution.connections import usages
from workflows.services.notifications import notify

logger = logging.getLogger(__name__)

# The conditions of a rule, as the form, the API and the audit trail name them.
CONDITION_FIELDS = ("collection", "asset_type", "review_state", "older_than_days", "not_downloaded_days",
                    "archived_for_days")
RULE_FIELDS = ("name", "description", "action", *CONDITION_FIELDS)
# Kept in a run's record: the first skipped assets with their reasons (the count is always whole).
SKIPPED_KEPT = 500


class ConfirmationNeeded(StateConflict):
    """Enabling a rule whose dry run lists more assets than DAM_RETENTION_CONFIRM_OVER needs a second yes."""

    def __init__(self, count: int):
        self.count = count
        super().__init__(
            f"This rule would act on {count} assets now, more than {settings.DAM_RETENTION_CONFIRM_OVER}. "
            f"Look at its dry run, then confirm that {count} assets may be changed.")


def _require_admin(actor: User | None) -> None:
    """Retention is admin work; None is the system (the schedule, `apply_retention`)."""
    if actor is not None:
        authority.require(actor, Cap.ADMINISTER)


def _check_rule(rule: RetentionRule, term_ids: list[int] | None) -> None:
    errors: dict[str, list[str]] = {}
    has_condition = any(getattr(rule, name + ("_id" if name == "collection" else "")) not in (None, "")
                        for name in CONDITION_FIELDS) or bool(term_ids)
    if not has_condition:
        errors["__all__"] = ["Give the rule at least one condition: a rule without any would act on every asset."]
    if rule.action == RetentionRule.Action.ARCHIVE and rule.archived_for_days is not None:
        errors["archived_for_days"] = ["An archiving rule only looks at assets that are not archived yet; "
                                       "“archived for” belongs to a rule that moves assets to the bin."]
    if rule.review_state == ReviewState.IN_REVIEW:
        errors["review_state"] = ["Assets in review are never touched by a rule; choose another state."]
    if RetentionRule.objects.filter(name__iexact=rule.name).exclude(pk=rule.pk).exists():
        errors["name"] = ["Another rule already has this name."]
    if errors:
        raise ValidationError(errors)


def _describe(rule: RetentionRule) -> dict[str, Any]:
    data = {name: getattr(rule, name + ("_id" if name == "collection" else "")) for name in RULE_FIELDS}
    data["terms"] = sorted(rule.terms.values_list("pk", flat=True)) if rule.pk else []
    return data


@transaction.atomic
def rule_create(*, actor: User | None, terms: list[Any] | None = None, **values: Any) -> RetentionRule:
    """Create a rule, disabled: it acts only once enabled after its dry run."""
    _require_admin(actor)
    rule = RetentionRule(created_by=actor, **{k: v for k, v in values.items() if k in RULE_FIELDS})
    term_ids = [getattr(t, "pk", t) for t in terms or []]
    _check_rule(rule, term_ids)
    rule.save()
    rule.terms.set(term_ids)
    audit.record("archive.retention.rule_created", actor=actor, target=rule, **_describe(rule))
    return rule


@transaction.atomic
def rule_update(*, rule: RetentionRule, actor: User | None, terms: list[Any] | None = None,
                **values: Any) -> RetentionRule:
    """Change a rule. Changed conditions disable it: what it would do has to be looked at again."""
    _require_admin(actor)
    locked = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    before = _describe(locked)
    for name, value in values.items():
        if name in RULE_FIELDS:
            setattr(locked, name, value)
    term_ids = before["terms"] if terms is None else sorted(getattr(t, "pk", t) for t in terms)
    _check_rule(locked, term_ids)
    after = {**{name: getattr(locked, name + ("_id" if name == "collection" else "")) for name in RULE_FIELDS},
             "terms": term_ids}
    changed = {name: after[name] for name in after if after[name] != before[name]}
    scope_changed = any(name in changed for name in (*CONDITION_FIELDS, "action", "terms"))
    if scope_changed and locked.enabled:
        locked.enabled, locked.confirmed_count = False, None
    locked.save()
    locked.terms.set(term_ids)
    audit.record("archive.retention.rule_changed", actor=actor, target=locked, changes=changed,
                 disabled=scope_changed and rule.enabled)
    return locked


@transaction.atomic
def rule_delete(*, rule: RetentionRule, actor: User | None) -> None:
    _require_admin(actor)
    audit.record("archive.retention.rule_deleted", actor=actor, target=rule, name=rule.name)
    rule.delete()


@transaction.atomic
def rule_enable(*, rule: RetentionRule, actor: User | None, confirm: int | None = None) -> RetentionRule:
    """Enable a rule. Above DAM_RETENTION_CONFIRM_OVER assets, `confirm` must repeat the dry run's count."""
    _require_admin(actor)
    locked = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if locked.enabled:
        raise StateConflict("This rule is already enabled.")
    count = selectors.rule_plan(locked).count
    needs_confirmation = count > settings.DAM_RETENTION_CONFIRM_OVER
    if needs_confirmation and confirm != count:
        raise ConfirmationNeeded(count)
    locked.enabled, locked.enabled_by, locked.enabled_at = True, actor, timezone.now()
    locked.confirmed_count = count if needs_confirmation else None
    locked.save(update_fields=["enabled", "enabled_by", "enabled_at", "confirmed_count", "updated_at"])
    audit.record("archive.retention.rule_enabled", actor=actor, target=locked, would_act_on=count,
                 confirmed=needs_confirmation)
    return locked


@transaction.atomic
def rule_disable(*, rule: RetentionRule, actor: User | None) -> RetentionRule:
    _require_admin(actor)
    locked = RetentionRule.objects.select_for_update().get(pk=rule.pk)
    if not locked.enabled:
        raise StateConflict("This rule is not enabled.")
    locked.enabled, locked.confirmed_count = False, None
    locked.save(update_fields=["enabled", "confirmed_count", "updated_at"])
    audit.record("archive.retention.rule_disabled", actor=actor, target=locked)
    return locked


def rule_run(*, rule: RetentionRule, actor: User | None, now: datetime | None = None) -> RetentionRun:
    """Apply a rule: walk the same selector as its dry run, act on each asset in its own transaction.

    Each asset is locked and checked again (a hold placed, a review started since the plan was read):
    such an asset is skipped and reported, never touched. One audit event per asset changed.
    """
    _require_admin(actor)
    now = now or timezone.now()
    run = RetentionRun.objects.create(rule=rule, rule_name=rule.name, actor=actor)
    plan = selectors.rule_plan(rule, now=now)
    over = plan.count > settings.DAM_RETENTION_CONFIRM_OVER and plan.count > (rule.confirmed_count or 0)
    if actor is None and over:
        # Run by the schedule: its matches grew past what an admin confirmed. Act on nothing and say so.
        run.refused = (f"It would act on {plan.count} assets, more than the {settings.DAM_RETENTION_CONFIRM_OVER} "
                       f"that need a confirmation (confirmed: {rule.confirmed_count or 0}). Nothing was changed; "
                       f"look at its dry run and enable it again.")
        _finish(run, rule, now)
        _tell_admins(run)
        return run
    skipped: list[dict[str, str]] = []
    skipped_count = 0
    for asset in plan.skipped.iterator():
        skipped_count += 1
        if len(skipped) < SKIPPED_KEPT:
            skipped.append(_skip(asset, selectors.skip_reason(asset)))
    matches = selectors.rule_matches(rule, now=now)  # built once; each asset is checked against it again
    for asset_id in list(plan.to_act.values_list("pk", flat=True)):
        outcome = _apply_one(rule, matches, asset_id, actor=actor, run=run, now=now)
        if outcome:
            skipped_count += 1
            if len(skipped) < SKIPPED_KEPT:
                skipped.append(outcome)
        else:
            run.acted += 1
    run.skipped = skipped
    _finish(run, rule, now)
    if skipped_count and actor is None:
        _tell_admins(run)
    return run


def _skip(asset: Any, reason: str) -> dict[str, str]:
    return {"uid": str(asset.uid), "title": asset.title,
            "reason": selectors.SKIP_REASONS.get(reason, reason)}


def _finish(run: RetentionRun, rule: RetentionRule, now: datetime) -> None:
    run.finished_at = timezone.now()
    run.save(update_fields=["acted", "skipped", "refused", "finished_at"])
    RetentionRule.objects.filter(pk=rule.pk).update(last_run_at=now)


@transaction.atomic
def _apply_one(rule: RetentionRule, matches: QuerySet[Any], asset_id: int, *, actor: User | None,
               run: RetentionRun, now: datetime) -> dict[str, str] | None:
    """Act on one asset the plan listed; the reason it was skipped instead, or None."""
    asset = Asset.objects.select_for_update().filter(pk=asset_id).first()
    if asset is None:
        return None
    again = matches.filter(pk=asset_id).first()
    if again is None:
        return _skip(asset, "It no longer matches the rule")
    if reason := selectors.skip_reason(again):
        return _skip(asset, reason)
    if rule.action == RetentionRule.Action.ARCHIVE:
        asset.archived_at = now
        asset.save(update_fields=["archived_at", "updated_at"])
        audit.record("archive.asset.archived", actor=actor, target=asset, rule=rule.name, rule_id=rule.pk,
                     run=run.pk, reason=f"Retention rule “{rule.name}”")
    else:
        _bin(asset, actor=actor, rule=rule, reason=f"Retention rule “{rule.name}”", now=now, run=run.pk)
    return None


def _tell_admins(run: RetentionRun) -> None:
    admins = authority.users_with_capability(Cap.ADMINISTER)
    if run.refused:
        message = f"The retention rule “{run.rule_name}” did not run: {run.refused}"
    else:
        message = (f"The retention rule “{run.rule_name}” changed {run.acted} assets and left "
                   f"{len(run.skipped)} alone (under legal hold or in review).")
    url = reverse("archive:retention:dry_run", args=[run.rule_id]) if run.rule_id else ""
    notify(admins, verb="archive.retention.run", message=message, url=url)


def run_enabled_rules(*, actor: User | None = None) -> list[RetentionRun]:
    """Apply every enabled rule once (the daily schedule, `apply_retention`)."""
    return [rule_run(rule=rule, actor=actor) for rule in RetentionRule.objects.filter(enabled=True).order_by("pk")]


# --- legal holds ------------------------------------------------------------------------------------------

def _check_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: ["Say why: the reason is kept in the audit trail."]})
    if len(reason) > 500:
        raise ValidationError({field: ["Keep the reason under 500 characters."]})
    return reason


@transaction.atomic
def hold_place(*, actor: User | None, reason: str, asset: Asset | None = None,
               collection: Collection | None = None) -> LegalHold:
    """Put an asset, or a folder and everything under it, under legal hold."""
    _require_admin(actor)
    if (asset is None) == (collection is None):
        raise ValidationError("A legal hold is on one asset or on one folder.")
    reason = _check_reason(reason)
    target: Any = asset or collection
    if LegalHold.objects.filter(asset=asset, collection=collection, lifted_at__isnull=True).exists():
        raise StateConflict(f"“{target}” is already under legal hold.")
    hold = LegalHold.objects.create(asset=asset, collection=collection, reason=reason, placed_by=actor)
    audit.record("archive.legal_hold.placed", actor=actor, target=target, hold=hold.pk, reason=reason,
                 on="asset" if asset else "collection")
    return hold


@transaction.atomic
def hold_lift(*, hold: LegalHold, actor: User | None, reason: str) -> LegalHold:
    """Lift a legal hold; the rules and the purge may touch what it covered again."""
    _require_admin(actor)
    reason = _check_reason(reason)
    locked = LegalHold.objects.select_for_update(of=("self",)).select_related("asset", "collection").get(pk=hold.pk)
    if locked.lifted_at is not None:
        raise StateConflict("This legal hold was already lifted.")
    locked.lifted_at, locked.lifted_by, locked.lift_reason = timezone.now(), actor, reason
    locked.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit.record("archive.legal_hold.lifted", actor=actor, target=locked.asset or locked.collection,
                 hold=locked.pk, reason=reason, placed_for=locked.reason)
    return locked


# --- the bin ----------------------------------------------------------------------------------------------

def _bin(asset: Asset, *, actor: User | None, rule: RetentionRule | None, reason: str, now: datetime,
         **data: Any) -> BinEntry:
    entry = BinEntry.objects.create(asset=asset, binned_by=actor, rule=rule, reason=reason[:500], binned_at=now,
                                    purge_after=now + timedelta(days=settings.DAM_BIN_GRACE_DAYS),
                                    archived_before=asset.archived_at)
    # Archived as well: every list, search, share link and delivery URL already leaves archived assets out.
    was_live = asset.archived_at is None
    asset.binned_at = now
    asset.archived_at = asset.archived_at or now
    asset.save(update_fields=["binned_at", "archived_at", "updated_at"])
    if was_live:  # where it was pushed or picked, it turns outdated as on archiving (distribution.usages)
        usages.outdate(asset, actor=actor, reason="the asset was moved to the bin.")
    audit.record("archive.asset.binned", actor=actor, target=asset, reason=reason,
                 purge_after=entry.purge_after.isoformat(), **({"rule": rule.name} if rule else {}), **data)
    return entry


@transaction.atomic
def asset_bin(*, asset: Asset, actor: User | None, reason: str = "") -> BinEntry:
    """Move an asset to the bin by hand: hidden everywhere, purged for good after the grace period."""
    _require_admin(actor)
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.binned_at is not None:
        raise StateConflict("This asset is already in the bin.")
    if selectors.asset_is_held(locked):
        raise StateConflict("This asset is under legal hold: it cannot be moved to the bin.")
    if locked.current_version and locked.current_version.review_state == ReviewState.IN_REVIEW:
        raise StateConflict("This asset's current revision is in review: it cannot be moved to the bin.")
    return _bin(locked, actor=actor, rule=None, reason=reason.strip()[:500] or "Moved to the bin by hand",
                now=timezone.now())


@transaction.atomic
def bin_restore(*, entry: BinEntry, actor: User | None) -> Asset:
    """Take an asset out of the bin, as it was before (archived or not)."""
    _require_admin(actor)
    asset = Asset.objects.select_for_update().get(pk=entry.asset_id)
    locked = BinEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None or asset.binned_at is None:
        raise StateConflict("This asset is no longer in the bin.")
    asset.binned_at = None
    asset.archived_at = locked.archived_before
    asset.save(update_fields=["binned_at", "archived_at", "updated_at"])
    locked.delete()
    audit.record("archive.asset.unbinned", actor=actor, target=asset, archived=asset.archived_at is not None)
    return asset


@dataclass
class PurgeResult:
    uid: str
    title: str
    files: int


@transaction.atomic
def bin_purge(*, entry: BinEntry, actor: User | None, now: datetime | None = None) -> PurgeResult:
    """Purge a binned asset for good: every version's original, every rendition and derivative, the rows.

    An admin may purge at once ("purge now"); the system only once the grace period is over. A legal hold
    blocks both. The audit events stay: they point at their target by type and id, not by a foreign key.
    The files are deleted after the rows commit, through the storage (local or S3); one a failure leaves
    behind has no row any more and is removed by the storage sweep (assets.sweep).
    """
    _require_admin(actor)
    locked = BinEntry.objects.select_for_update().filter(pk=entry.pk).first()
    if locked is None:
        raise StateConflict("This asset is no longer in the bin.")
    asset = Asset.objects.select_for_update().get(pk=locked.asset_id)
    if selectors.asset_is_held(asset):
        raise StateConflict(f"“{asset.title}” is under legal hold: it cannot be purged.")
    if actor is None and locked.purge_after > (now or timezone.now()):
        raise StateConflict(f"“{asset.title}” stays in the bin until {locked.purge_after:%Y-%m-%d %H:%M}.")
    versions = AssetVersion.objects.filter(asset=asset)
    # Originals are deleted from the storage their record names (the primary one or the archive tier).
    stored = {(version.storage_tier, version.file.name) for version in versions.exclude(file="")}
    stored |= {(StorageTier.PRIMARY, name) for name in
               Rendition.objects.filter(version__in=versions).exclude(file="").values_list("file", flat=True)}
    keys = {name for _, name in stored}
    result = PurgeResult(uid=str(asset.uid), title=asset.title, files=len(stored))
    audit.record("archive.asset.purged", actor=actor, target=asset, uid=result.uid, title=asset.title,
                 files=len(stored), versions=versions.count(), binned_at=locked.binned_at.isoformat(),
                 reason=locked.reason)
    # current_version / approved_version point into the versions being deleted: clear them first so the
    # delete does not trip over its own foreign keys on databases that check them at once.
    Asset.objects.filter(pk=asset.pk).update(current_version=None, approved_version=None)
    asset.delete()
    # A key another row still uses (a restored bag may share one) is kept.
    shared = set(AssetVersion.objects.filter(file__in=keys).values_list("file", flat=True)) | set(
        Rendition.objects.filter(file__in=keys).values_list("file", flat=True))
    doomed = sorted((tier, name) for tier, name in stored if name not in shared)
    transaction.on_commit(lambda: _delete_files(doomed))
    return result


def _delete_files(stored: list[tuple[str, str]]) -> None:
    for tier, key in stored:
        try:
            tier_storage(tier).delete(key)
        except Exception:  # the rows are gone: the storage sweep removes what is left
            logger.exception("Could not delete %s after a purge; the storage sweep will remove it", key)


def bin_purge_due(*, now: datetime | None = None) -> list[PurgeResult]:
    """Purge every binned asset whose grace period is over, except those under legal hold (the schedule)."""
    now = now or timezone.now()
    purged = []
    for entry in selectors.bin_due(now=now).filter(held=False):
        try:
            purged.append(bin_purge(entry=entry, actor=None, now=now))
        except StateConflict as exc:  # held or restored since it was read
            logger.info("Not purged: %s", exc)
    return purged
