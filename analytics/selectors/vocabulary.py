"""Vocabulary use: the terms most and least used on the assets in scope, terms on none of them, proposals
waiting for a librarian."""
from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, Min, OuterRef, Q

from analytics.selectors.query import ReportQuery, in_scope, iso, scope_assets, sees_everything
from assets.models import AssetTerm
from taxonomy.models import Term, TermProposal

TOP = 20
SHOWN = 100


def _term_counts(user: Any, q: ReportQuery) -> Any:
    return (in_scope(AssetTerm.objects.order_by(), user, q).values("term_id", "term__label", "term__vocabulary__title")
            .annotate(count=Count("asset_id", distinct=True)))


def _rows(rows: Any) -> list[dict[str, Any]]:
    return [{"term_id": r["term_id"], "label": r["term__label"], "vocabulary": r["term__vocabulary__title"],
             "count": r["count"]} for r in rows]


def top_terms(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Terms by the number of assets in scope tagged with them (by people or by machine)."""
    return _rows(_term_counts(user, q).order_by("-count", "term__label")[:TOP])


def least_used_terms(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Terms on at least one asset in scope, fewest first."""
    return _rows(_term_counts(user, q).order_by("count", "term__label")[:TOP])


def unused_terms(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Active terms on none of the assets in scope."""
    links = AssetTerm.objects.filter(term=OuterRef("pk"))
    if not sees_everything(user, q):
        links = links.filter(asset__in=scope_assets(user, q).values("pk"))
    rows = (Term.objects.filter(status=Term.Status.ACTIVE).filter(~Exists(links))
            .order_by("label", "pk").values("pk", "label", "vocabulary__title")[:SHOWN])
    return [{"term_id": r["pk"], "label": r["label"], "vocabulary": r["vocabulary__title"], "count": 0} for r in rows]


def waiting_proposals(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Pending term proposals, grouped by the label proposed: how many ask for it, and since when."""
    proposals = TermProposal.objects.filter(status=TermProposal.Status.PENDING).order_by()
    if not sees_everything(user, q):
        proposals = proposals.filter(Q(asset__in=scope_assets(user, q).values("pk"))
                                     | Q(asset__isnull=True, proposed_by=user))
    rows = (proposals.values("label").annotate(count=Count("pk"), since=Min("created_at"))
            .order_by("since", "label")[:SHOWN])
    return [{"label": r["label"], "count": r["count"], "waiting_since": iso(r["since"])} for r in rows]
