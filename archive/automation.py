"""What automation rules can hear from the archive stage and do with it (registered in ArchiveConfig.ready).

Workflows holds the rule engine but may not import this app, so the archive app registers its own
triggers (rights expiring in N days, rights expired, asset archived) and its action (archive).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import permissions as authority
from archive import services
from workflows.automation.registry import Context, Param, register_action, register_trigger


def _days(params: Mapping[str, Any]) -> dict[str, Any]:
    days = params.get("days")
    allowed = sorted(settings.DAM_RIGHTS_REMINDER_DAYS)
    if days in (None, "") or not str(days).isdigit() or int(days) not in allowed:
        # The trigger is the rights reminder, which goes out only at these thresholds.
        raise ValidationError(f"Choose how many days before the rights expire: one of "
                              f"{', '.join(map(str, allowed))} (the reminder days, DAM_RIGHTS_REMINDER_DAYS).")
    return {"days": int(days)}


def _reason(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"reason": str(params.get("reason") or "").strip()[:500]}


def _archive_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    if ctx.asset.archived_at is not None:
        return "It is already archived: nothing to do."
    if not authority.can(ctx.actor, "archive", ctx.asset):
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not archive “{ctx.asset.title}”.")
    return "Archive it" + (f" ({params['reason']})." if params.get("reason") else ".")


def _archive_run(ctx: Context, params: Mapping[str, Any]) -> None:
    if ctx.asset.archived_at is None:
        services.asset_archive(asset=ctx.asset, actor=ctx.actor,
                               reason=params.get("reason") or f"Archived by the rule “{ctx.rule.name}”.")


def register() -> None:
    register_trigger("rights_expiring", "Its rights expire in N days", verbs=("archive.rights.expiring",),
                     applies=lambda data, params: data.get("days") == params.get("days"), clean_params=_days,
                     describe_params=lambda params: f"{params.get('days')} days before")
    register_trigger("rights_expired", "Its rights expired", verbs=("archive.rights.expired",))
    register_trigger("asset_archived", "It is archived", verbs=("archive.asset.archived",))
    register_action("archive", "Archive", clean_params=_reason, describe=_archive_describe, run=_archive_run,
                    fires=("asset_archived",),
                    params=[Param("reason", "Why", required=False, help="For the history (optional).")])
