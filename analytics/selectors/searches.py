"""What people search for: the most frequent queries, those that found nothing, those whose results nobody opened.

Counted from search's SearchEvent: one row per search (its first page), from /assets/ and the API alike.
The words are grouped as recorded (normalised: case and accents folded); searches by filters alone have no
words and are left out of these lists. Searches are not about one folder or asset, so the report's
collection, type and term do not narrow them.
"""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Max, Q

from analytics.selectors.query import ReportQuery, in_period, iso
from search.models import SearchEvent

TOP = 20


def _searches(q: ReportQuery) -> Any:
    return in_period(SearchEvent.objects.order_by(), q).exclude(query="")


def top_searches(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    rows = (_searches(q).values("query").annotate(count=Count("pk"), no_results=Count("pk", filter=Q(result_count=0)))
            .order_by("-count", "query")[:TOP])
    return [{"query": r["query"], "count": r["count"], "no_results": r["no_results"]} for r in rows]


def no_result_searches(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Queries that found nothing: what people look for and the library lacks."""
    rows = (_searches(q).filter(result_count=0).values("query").annotate(count=Count("pk"), last=Max("created_at"))
            .order_by("-count", "query")[:TOP])
    return [{"query": r["query"], "count": r["count"], "last_searched": iso(r["last"])} for r in rows]


def unopened_searches(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Queries that found something on /assets/, yet no result was ever opened from them. API searches are left
    out: their clients follow no result link, so they cannot be seen opening one."""
    rows = (_searches(q).filter(source=SearchEvent.Source.PAGE, result_count__gt=0).values("query")
            .annotate(count=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)),
                      results=Max("result_count"))
            .filter(opened=0).order_by("-count", "query")[:TOP])
    return [{"query": r["query"], "count": r["count"], "results": r["results"]} for r in rows]
