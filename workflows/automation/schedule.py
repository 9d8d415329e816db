"""Rules on a schedule: "every day at 06:00, over the assets that match, do these steps".

A schedule is one of three, in the DAM's time zone (DAM_TIME_ZONE): every hour at some minutes past,
every day at HH:MM, every week on a day at HH:MM. Its *slots* are the moments it names.

One django-q2 job runs every minute (the schedule made by migration workflows 0005) and calls
`schedule_tick`. For each enabled rule on a schedule it asks for the latest slot at or before now; when that
slot is after the moment the rule was switched on (`schedule_after`) and has no pass yet, the tick claims it by
writing its `ScheduledPass` (unique per rule and slot, so two ticks that see it due at once make one) and
queues one ordinary automation job per matching asset, keyed "schedule:<slot>". So a tick missed at 06:00
(the worker was down) runs the 06:00 slot at the next tick, once; slots missed entirely while a newer one is
due are not made up. From there each asset's run is the same as for an event: conditions asked again, the
owner's permissions, the log, idempotence.

A pass acts on at most DAM_AUTOMATION_SCHEDULE_MAX_ASSETS assets. When more match it says so in its note,
and the next pass starts after the last asset this one took, so every matching asset gets its turn.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from assets.models import Asset
from workflows.automation import conditions as rule_conditions
from workflows.automation import engine
from workflows.automation.models import AutomationRule, ScheduledPass

logger = logging.getLogger(__name__)

TRIGGER = "schedule"
EVERY = {"hour": "Every hour", "day": "Every day", "week": "Every week"}
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
PERIOD = {"hour": timedelta(hours=1), "day": timedelta(days=1), "week": timedelta(days=7)}
HH_MM = re.compile(r"^\s*(\d{1,2})[:.h](\d{2})\s*$")
CHUNK = 200


# --- the schedule's parameters ---------------------------------------------------------------------

def _time(value: Any) -> str:
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    found = HH_MM.match(str(value or ""))
    if found is None or int(found.group(1)) > 23 or int(found.group(2)) > 59:
        raise ValidationError("Give the time as hours and minutes on a 24-hour clock, e.g. 06:00 or 18:30.")
    return f"{int(found.group(1)):02d}:{found.group(2)}"


def _weekday(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower()
    if text.isdigit() and int(text) < 7:
        return WEEKDAYS[int(text)]  # 0 is Monday, as Python counts
    for day in WEEKDAYS:
        if text and day.startswith(text) and len(text) >= 2:
            return day
    raise ValidationError("Choose the day of the week.")


def clean_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """{"every": "hour", "minute": 15} | {"every": "day", "time": "06:00"} | {"every": "week", "weekday":
    "monday", "time": "06:00"}; ValidationError with a sentence per problem, keyed by parameter."""
    every = str(params.get("every") or "").strip().lower()
    if every not in EVERY:
        raise ValidationError({"every": ["Choose how often the rule runs: every hour, every day or every week."]})
    if every == "hour":
        minute: Any = params.get("minute") if params.get("minute") not in (None, "") else 0
        if not str(minute).isdigit() or int(minute) > 59:
            raise ValidationError({"minute": ["Give the minutes past the hour, a whole number from 0 to 59."]})
        return {"every": every, "minute": int(minute)}
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {"every": every}
    if every == "week":
        try:
            out["weekday"] = _weekday(params.get("weekday"))
        except ValidationError as exc:
            errors["weekday"] = exc.messages
    try:
        out["time"] = _time(params.get("time"))
    except ValidationError as exc:
        errors["time"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return out


def describe(params: Mapping[str, Any]) -> str:
    """The schedule as people say it: "every Monday at 06:00"."""
    every = params.get("every")
    if every == "hour":
        minute = int(params.get("minute") or 0)
        return "every hour, on the hour" if minute == 0 else f"every hour, at {minute} minutes past"
    if every == "week":
        return f"every {str(params.get('weekday', '')).capitalize()} at {params.get('time')}"
    return f"every day at {params.get('time')}" if every == "day" else ""


# --- slots ---------------------------------------------------------------------------------------------

def latest_slot(params: Mapping[str, Any], now: datetime) -> datetime:
    """The last moment the schedule names at or before `now` (aware, in the DAM's time zone)."""
    zone = timezone.get_default_timezone()
    local = timezone.localtime(now, zone)
    if params["every"] == "hour":
        slot = local.replace(minute=int(params.get("minute") or 0), second=0, microsecond=0)
        if slot > local:  # an hour back counted on the clock of the world, not the wall (summer time)
            slot = (slot.astimezone(UTC) - PERIOD["hour"]).astimezone(zone)
        return slot
    at = time.fromisoformat(params["time"])
    day = local.date()
    if params["every"] == "week":
        day -= timedelta(days=(day.weekday() - WEEKDAYS.index(params["weekday"])) % 7)
    slot = datetime.combine(day, at, tzinfo=zone)
    if slot > local:
        slot = datetime.combine(day - PERIOD[params["every"]], at, tzinfo=zone)
    return slot


def next_slot(params: Mapping[str, Any], now: datetime) -> datetime:
    """The first moment the schedule names after `now`."""
    return latest_slot(params, now + PERIOD[params["every"]])


def due_slot(rule: AutomationRule, now: datetime) -> datetime | None:
    """The slot this rule should run for now, or None (not yet, or that slot ran already)."""
    slot = latest_slot(rule.trigger_params, now)
    after = rule.schedule_after or rule.created_at
    if slot <= after or ScheduledPass.objects.filter(rule=rule, slot=slot).exists():
        return None
    return slot


# --- the tick ------------------------------------------------------------------------------------------

def schedule_tick(*, now: datetime | None = None) -> list[ScheduledPass]:
    """Run every scheduled rule that is due (see the module's docstring); the passes made."""
    now = now or timezone.now()
    made = []
    for rule in AutomationRule.objects.filter(enabled=True, trigger=TRIGGER).select_related("owner"):
        slot = None
        try:
            slot = due_slot(rule, now)
            if slot is None:
                continue
            with transaction.atomic():
                made.append(_pass(rule, slot))
        except IntegrityError:
            continue  # another tick claimed this slot a moment ago
        except Exception:  # one rule's trouble must not keep the others from their turn
            logger.exception("Scheduled automation rule %s failed", rule.pk)
            if slot is not None:  # the slot is spent, with the reason on the rule's page, not retried each minute
                ScheduledPass.objects.get_or_create(rule=rule, slot=slot, defaults={
                    "note": "It could not pick its assets: it failed unexpectedly; the server's log has the details."})
    return made


def _pass(rule: AutomationRule, slot: datetime) -> ScheduledPass:
    turn = ScheduledPass.objects.create(rule=rule, slot=slot)  # the claim: unique per rule and slot
    limit = settings.DAM_AUTOMATION_SCHEDULE_MAX_ASSETS
    before = rule.passes.exclude(pk=turn.pk).order_by("-slot").values_list("resume_after", flat=True).first()
    picked: list[int] = []
    more = False
    if rule.owner.is_active:
        for asset in _walk(candidates(rule), before):
            if rule_conditions.unmet(rule.conditions or {}, asset):
                continue
            if len(picked) == limit:
                more = True
                break
            picked.append(asset.pk)
    event_key = f"schedule:{slot.astimezone(UTC).isoformat(timespec='minutes')}"
    for asset_id in picked:
        engine.queue_run(rule.pk, asset_id, TRIGGER, event_key)  # once this transaction commits
    turn.assets = len(picked)
    turn.resume_after = picked[-1] if more else None
    turn.note = _note(rule, len(picked), more, limit)
    turn.save(update_fields=["assets", "resume_after", "note"])
    audit.record("workflows.automation.schedule_passed", actor=None, target=rule, slot=slot.isoformat(),
                 assets=len(picked), stopped_at_limit=more, note=turn.note)
    return turn


def _note(rule: AutomationRule, count: int, more: bool, limit: int) -> str:
    if not rule.owner.is_active:
        return f"Nothing done: its owner {rule.owner.display_name} can no longer sign in."
    if more:
        return (f"Stopped at the limit of {limit} assets (DAM_AUTOMATION_SCHEDULE_MAX_ASSETS); more assets match. "
                "The next time it runs, it goes on after the last one it took.")
    if not count:
        return "No asset matched its conditions."
    return f"{count} asset{'s' if count != 1 else ''} matched; each is run and logged below."


def candidates(rule: AutomationRule) -> QuerySet[Asset]:
    """The live assets the rule's owner sees, inside its folders, narrowed by the conditions SQL can test."""
    queryset = Asset.objects.filter(archived_at__isnull=True).filter(rule_conditions.narrowing(rule.conditions or {}))
    scope = list(rule.scope.all())
    if scope:
        inside = Q(pk__in=[])
        for folder in scope:
            inside |= Q(collection__path__startswith=folder.path)
        queryset = queryset.filter(inside)
    return authority.visible(rule.owner, queryset).select_related("collection", "current_version").order_by("pk")


def _walk(queryset: QuerySet[Asset], after: int | None) -> Iterator[Asset]:
    """The assets by id, starting after `after` and coming round to the beginning."""
    parts = [queryset] if after is None else [queryset.filter(pk__gt=after), queryset.filter(pk__lte=after)]
    for part in parts:
        yield from part.iterator(chunk_size=CHUNK)
