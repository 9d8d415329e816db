"""What people search for: the most frequent queries, those that found nothing, those whose results nobody opened.

Counted from search's SearchEvent: one row per search (its first page), from /assets/ and the API alike; whole
days up to the last rolled-up day from the daily rollup (analytics.models.SearchDay), the rest of the period
from the raw events. The words are grouped as recorded (normalised: case and accents folded); searches by
filters alone have no words and are left out of these lists. Searches are not about one folder or asset, so
the report's collection, type and term do not narrow them.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum

from analytics.models import RollupMark, SearchDay
from analytics.selectors.query import ReportQuery, iso
from analytics.selectors.rolled import as_datetime, merged_rows, split
from search.models import SearchEvent

TOP = 20


def _parts(q: ReportQuery, *, rolled: Q, raw: Q, rolled_totals: dict[str, Any],
           raw_totals: dict[str, Any]) -> list[QuerySet]:
    """The period's searches with words, per query (column `key`), from the rollup and from the raw events."""
    part = split(q, RollupMark.Name.SEARCHES)
    parts: list[QuerySet] = []
    if part.rolled:
        parts.append(SearchDay.objects.order_by().filter(part.days()).filter(rolled)
                     .values(key=F("query")).annotate(**rolled_totals))
    for times in part.raw_times():
        parts.append(SearchEvent.objects.order_by().filter(times).exclude(query="").filter(raw)
                     .values(key=F("query")).annotate(**raw_totals))
    return parts


def top_searches(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    parts = _parts(q, rolled=Q(), raw=Q(),
                   rolled_totals={"n": Sum("count"), "none": Sum("count", filter=Q(found=False), default=0)},
                   raw_totals={"n": Count("pk"), "none": Count("pk", filter=Q(result_count=0))})
    rows = merged_rows(parts, ["key"], {"total": "SUM(n)", "no_results": "SUM(none)"},
                       order="total DESC, key", limit=TOP)
    return [{"query": r["key"], "count": int(r["total"]), "no_results": int(r["no_results"])} for r in rows]


def no_result_searches(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Queries that found nothing: what people look for and the library lacks."""
    parts = _parts(q, rolled=Q(found=False), raw=Q(result_count=0),
                   rolled_totals={"n": Sum("count"), "last": Max("last_at")},
                   raw_totals={"n": Count("pk"), "last": Max("created_at")})
    rows = merged_rows(parts, ["key"], {"total": "SUM(n)", "last_at": "MAX(last)"}, order="total DESC, key",
                       limit=TOP)
    return [{"query": r["key"], "count": int(r["total"]), "last_searched": iso(as_datetime(r["last_at"]))}
            for r in rows]


def unopened_searches(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Queries that found something on /assets/, yet no result was ever opened from them. API searches are left
    out: their clients follow no result link, so they cannot be seen opening one."""
    page = SearchEvent.Source.PAGE
    parts = _parts(q, rolled=Q(source=page, found=True), raw=Q(source=page, result_count__gt=0),
                   rolled_totals={"n": Sum("count"), "o": Sum("opened"), "r": Max("max_results")},
                   raw_totals={"n": Count("pk"), "o": Count("pk", filter=Q(opened_at__isnull=False)),
                               "r": Max("result_count")})
    rows = merged_rows(parts, ["key"], {"total": "SUM(n)", "results": "MAX(r)"}, having="SUM(o) = 0",
                       order="total DESC, key", limit=TOP)
    return [{"query": r["key"], "count": int(r["total"]), "results": r["results"]} for r in rows]
