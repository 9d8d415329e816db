"""Library health: assets by type and state, storage over time, required fields left empty, rights expiring,
originals whose last fixity check failed."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, Sum, Value, When
from django.utils import timezone

from analytics.selectors.query import ReportQuery, days_of, in_scope, iso, local_day, scope_assets
from archive.models import FixityCheck
from archive.rights.selectors import expiring
from assets.models import AssetVersion, Rendition, ReviewState
from taxonomy.models import AssetType, MetadataField

EXPIRING_DAYS = 30
SHOWN = 100
ARCHIVED = "archived"
NO_VERSION = "none"
STATE_LABELS = {**dict(ReviewState.choices), ARCHIVED: "Archived", NO_VERSION: "No file yet"}


def assets_by_type_state(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Every asset in scope by type and by the review state of its current version (archived ones apart)."""
    state = Case(When(archived_at__isnull=False, then=Value(ARCHIVED)),
                 When(current_version__isnull=True, then=Value(NO_VERSION)),
                 default=F("current_version__review_state"), output_field=CharField())
    rows = (scope_assets(user, q).order_by().annotate(state=state).values("asset_type", "state")
            .annotate(count=Count("pk")).order_by("asset_type", "state"))
    types = dict(AssetType.choices)
    return [{"type": r["asset_type"], "type_label": types.get(r["asset_type"], r["asset_type"]),
             "state": r["state"], "state_label": STATE_LABELS.get(r["state"], r["state"]), "count": r["count"]}
            for r in rows]


def storage(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Bytes stored at the end of each day of the period: originals (every version) and renditions (dated by
    their version), for the assets in scope. One sum before the period and one per day, added up here."""
    versions = in_scope(AssetVersion.objects.order_by(), user, q)
    renditions = in_scope(Rendition.objects.order_by().filter(size__isnull=False), user, q, "version__asset")

    def running(rows: Any, size: str, created: str) -> dict[dt.date, int]:
        before = rows.filter(**{f"{created}__lt": q.start}).aggregate(total=Sum(size))["total"] or 0
        per_day = dict(rows.filter(**{f"{created}__gte": q.start, f"{created}__lt": q.end})
                       .annotate(day=local_day(created)).values("day").annotate(total=Sum(size))
                       .values_list("day", "total"))
        totals, total = {}, before
        for day in days_of(q):
            total += per_day.get(day) or 0
            totals[day] = total
        return totals

    originals = running(versions, "size", "created_at")
    derived = running(renditions, "size", "version__created_at")
    return [{"day": iso(day), "originals_bytes": originals[day], "renditions_bytes": derived[day]}
            for day in days_of(q)]


def _empty(key: str) -> Q:
    """The metadata value at `key` is absent or empty ("", null, []): what the submission check calls missing."""
    return (~Q(metadata__has_key=key) | Q(**{f"metadata__{key}": None}) | Q(**{f"metadata__{key}": ""})
            | Q(**{f"metadata__{key}": []}))


def missing_required(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Per required field, the live assets it applies to (type, folder) that leave it empty: they cannot be
    submitted for review until it is filled. One COUNT per required field, all in one statement."""
    live = scope_assets(user, q).filter(archived_at__isnull=True).order_by()
    fields = list(MetadataField.objects.filter(required=True).prefetch_related("collections").order_by("order", "pk"))
    counts: dict[str, Any] = {"title": Count("pk", filter=Q(title=""))}
    for field in fields:
        applies = _empty(field.key)
        if field.asset_types:
            applies &= Q(asset_type__in=field.asset_types)
        paths = [c.path for c in field.collections.all()]
        if paths:
            under = Q()
            for path in paths:
                under |= Q(collection__path__startswith=path)
            applies &= under
        counts[f"f{field.pk}"] = Count("pk", filter=applies)
    totals = live.aggregate(**counts)
    rows = [{"field": "title", "label": "Title", "count": totals["title"]}]
    rows += [{"field": f.key, "label": f.label, "count": totals[f"f{f.pk}"]} for f in fields]
    return [r for r in rows if r["count"]]


def rights_expiring(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Live assets whose rights end within the next 30 days (not those already expired), soonest first."""
    now = timezone.now()
    scoped = expiring(user, EXPIRING_DAYS, now=now).filter(rights_expire_at__gt=now)
    if q.filtered:
        scoped = scoped.filter(pk__in=scope_assets(user, q).values("pk"))
    rows = scoped.values("uid", "title", "rights_expire_at")[:SHOWN]
    # rights_expire_at__gt=now above: every row has an expiry.
    return [{"uid": str(r["uid"]), "title": r["title"], "rights_expire_at": iso(r["rights_expire_at"]),
             "days_left": (r["rights_expire_at"] - now).days, "count": 1} for r in rows]  # type: ignore[operator]


def fixity_problems(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Versions whose original failed its last fixity check (changed or missing), most recent check first."""
    rows = (in_scope(FixityCheck.objects.exclude(outcome=FixityCheck.Outcome.OK), user, q, "version__asset")
            .order_by("-checked_at", "pk")
            .values("version__asset__uid", "version__asset__title", "version__number", "outcome", "checked_at")[:SHOWN])
    outcomes = dict(FixityCheck.Outcome.choices)
    return [{"uid": str(r["version__asset__uid"]), "title": r["version__asset__title"],
             "version": r["version__number"], "problem": outcomes.get(r["outcome"], r["outcome"]),
             "checked_at": iso(r["checked_at"]), "count": 1} for r in rows]
