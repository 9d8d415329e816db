"""What a report is asked for (ReportQuery), and the rows it reads: the assets in its scope, the days of its period.

Every panel starts from `scope_assets`: the assets the permission authority lets the user see, narrowed
by the report's collection, type and term. A panel over another table (downloads, reviews, term links)
keeps only the rows of those assets (`in_scope`), so no panel can count what its reader may not see.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts import permissions as authority
from accounts.permissions import Cap
from assets.models import Asset, Collection

PRESET_DAYS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
CUSTOM = "custom"


@dataclass(frozen=True)
class ReportQuery:
    """A period [start, end) and the filters of one report; built by analytics.forms.ReportQueryForm."""

    start: dt.datetime
    end: dt.datetime
    collection_id: int | None = None
    type: str | None = None
    term_id: int | None = None
    period: str = CUSTOM  # "7d", "30d", "90d", "365d" or "custom"

    @classmethod
    def last(cls, days: int, *, now: dt.datetime | None = None, **filters: Any) -> ReportQuery:
        """The `days` days up to now: the period "7d", "30d", ... ."""
        end = now or timezone.now()
        return cls(start=end - dt.timedelta(days=days), end=end, period=f"{days}d", **filters)

    @property
    def label(self) -> str:
        """The period in words, for headings and file names."""
        if self.period in PRESET_DAYS:
            return f"Last {PRESET_DAYS[self.period]} days"
        last_day = timezone.localtime(self.end - dt.timedelta(microseconds=1)).date()
        first_day = timezone.localtime(self.start).date()
        return f"{first_day.day} {first_day:%b %Y} to {last_day.day} {last_day:%b %Y}"

    @property
    def filtered(self) -> bool:
        return bool(self.collection_id or self.type or self.term_id)

    def as_json(self) -> dict[str, Any]:
        return {"period": self.period, "label": self.label, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "collection": self.collection_id, "type": self.type,
                "term": self.term_id}


def require_analytics(user: Any) -> None:
    """Only roles holding Cap.VIEW_ANALYTICS read reports (the page and the API answer 403 otherwise)."""
    if not authority.can(user, Cap.VIEW_ANALYTICS):
        raise PermissionDenied("Analytics are for administrators, librarians and brand managers.")


def scope_assets(user: Any, q: ReportQuery) -> QuerySet[Asset]:
    """The assets a report about `q` may count for `user`: visible to them, in the chosen folder (and below),
    of the chosen type, tagged with the chosen term."""
    assets = authority.visible(user, Asset.objects.all())
    if q.collection_id:
        folder = Collection.objects.filter(pk=q.collection_id).values_list("path", flat=True).first()
        assets = assets.filter(collection__path__startswith=folder) if folder else assets.none()
    if q.type:
        assets = assets.filter(asset_type=q.type)
    if q.term_id:
        assets = assets.filter(term_links__term_id=q.term_id)
    return assets


def sees_everything(user: Any, q: ReportQuery) -> bool:
    """An administrator's unfiltered report: every row counts, so no asset condition is needed (a cheaper plan)."""
    return authority.is_admin(user) and not q.filtered


def in_scope(rows: QuerySet, user: Any, q: ReportQuery, asset_field: str = "asset") -> QuerySet:
    """`rows` (downloads, reviews, term links, ...) kept to those about assets in the report's scope."""
    if sees_everything(user, q):
        return rows
    return rows.filter(**{f"{asset_field}__in": scope_assets(user, q).values("pk")})


def in_period(rows: QuerySet, q: ReportQuery, field: str = "created_at") -> QuerySet:
    return rows.filter(**{f"{field}__gte": q.start, f"{field}__lt": q.end})


def local_day(field: str = "created_at") -> TruncDate:
    """The calendar day of `field` in the project's time zone (TIME_ZONE), as the database computes it."""
    return TruncDate(field, tzinfo=timezone.get_current_timezone())


def days_of(q: ReportQuery) -> list[dt.date]:
    """Every local calendar day the period touches, in order."""
    first = timezone.localtime(q.start).date()
    last = timezone.localtime(q.end - dt.timedelta(microseconds=1)).date()
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def iso(value: Any) -> Any:
    """Dates and times as ISO 8601 text, so every row is JSON as it is."""
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value
