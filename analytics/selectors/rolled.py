"""Reading a period from the daily rollups and the raw events together.

A period [start, end) is cut in two: the whole local days inside it up to the last rolled-up day
(`RollupMark.through`) are read from the rollup tables, and the rest (the part of a first day before the
period's start hour, and everything after the last rolled-up day: today, or days the job has not reached)
from the raw events. The two never overlap and together cover the period, so a panel's numbers are the same
whether a day is rolled up or not.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from analytics.models import RollupMark
from analytics.selectors.query import ReportQuery


def midnight(day: dt.date) -> dt.datetime:
    """The moment `day` begins in the project's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class Split:
    """Which days of a period the rollups answer (`first`..`last`, both included; None when none) and which
    stretches of time the raw events answer (`raw`, each [from, to))."""

    first: dt.date | None
    last: dt.date | None
    raw: tuple[tuple[dt.datetime, dt.datetime], ...]

    @property
    def rolled(self) -> bool:
        return self.first is not None

    def days(self, field: str = "day") -> Q:
        return Q(**{f"{field}__gte": self.first, f"{field}__lte": self.last})

    def raw_times(self, field: str = "created_at") -> list[Q]:
        """One condition on `field` per raw stretch (none when the rollups answer the whole period). Each is read
        by a SELECT of its own: SQLite plans an OR of two time ranges as a scan of the whole table."""
        return [Q(**{f"{field}__gte": start, f"{field}__lt": end}) for start, end in self.raw]


def split(q: ReportQuery, name: str) -> Split:
    """How period `q` is read for rollup `name` (RollupMark.Name)."""
    through = RollupMark.objects.filter(name=name).values_list("through", flat=True).first()
    first = timezone.localtime(q.start).date()
    if midnight(first) < q.start:
        first += dt.timedelta(days=1)  # the period starts in the middle of that day: its hours are read raw
    last = timezone.localtime(q.end).date() - dt.timedelta(days=1)  # the last day over before the period's end
    if through is not None:
        last = min(last, through)
    if through is None or first > last:
        return Split(None, None, ((q.start, q.end),))
    raw = []
    if q.start < midnight(first):
        raw.append((q.start, midnight(first)))
    after = midnight(last + dt.timedelta(days=1))
    if after < q.end:
        raw.append((after, q.end))
    return Split(first, last, tuple(raw))


def merged_rows(parts: list[QuerySet], keys: list[str], totals: dict[str, str], *, having: str = "",
                order: str, limit: int) -> list[dict[str, Any]]:
    """Group the rows of several querysets (`.values(...)` with the same column names in the same order) as
    one: `SELECT keys, totals FROM (part UNION ALL part ...) GROUP BY keys [HAVING] ORDER BY order LIMIT`.

    `totals` maps an output name to its SQL over the parts' columns (e.g. "SUM(n)"). This is how a top list
    adds a rollup's counts to the raw events' counts in the database, so only `limit` rows come back.
    """
    sqls: list[str] = []
    params: list[Any] = []
    for part in parts:
        sql, part_params = part.query.sql_with_params()
        sqls.append(sql)
        params.extend(part_params)
    columns = ", ".join([*keys, *(f"{expr} AS {name}" for name, expr in totals.items())])
    group = ", ".join(keys)
    # Only the callers' constant column names and aggregates and Django's compiled SQL are joined; every value
    # travels as a parameter.
    union = " UNION ALL ".join(sqls)
    having_sql = f"HAVING {having} " if having else ""
    sql = f"SELECT {columns} FROM ({union}) AS merged GROUP BY {group} {having_sql}ORDER BY {order} LIMIT {int(limit)}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def as_datetime(value: Any) -> dt.datetime | None:
    """A time read through `merged_rows` (SQLite hands back text, in UTC), as an aware datetime."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value)
    return parsed if parsed is None or timezone.is_aware(parsed) else timezone.make_aware(parsed, dt.UTC)
