"""Where approvals wait: time from submission to each step's approval, revisions waiting now, and how often
revisions come back (changes requested) or are rejected, per contributor team.

Read from workflows' Review (one per submission, `created_at` = submitted) and ReviewDecision (one per
reviewer and step, with its time).
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from accounts.models import User
from accounts.roles import ROLE_GROUP_NAMES
from analytics.selectors.query import ReportQuery, in_period, in_scope, iso
from workflows.models import ApprovalStep, Review, ReviewDecision

WAITING_SHOWN = 100
STEP = ("review__policy_id", "step")


def _seconds(value: dt.timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds())


def approval_times(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Per step of each policy (and so per reviewer group): how many approvals were given in the period, and the
    median and 90th percentile of the time from the revision's submission to the approval.

    Percentiles by nearest rank, computed in the database with window functions that both SQLite and PostgreSQL
    have (ROW_NUMBER and COUNT over each step's approvals, ordered by duration): the median is the value at rank
    ceil(n/2), the p90 at rank ceil(9n/10). Only those two rows per step leave the database, not the durations.
    """
    decisions = in_scope(in_period(ReviewDecision.objects.filter(kind=ReviewDecision.Kind.APPROVE), q), user, q,
                         "review__version__asset")
    ranked = decisions.annotate(
        waited=ExpressionWrapper(F("created_at") - F("review__created_at"), output_field=DurationField()),
        rank=Window(RowNumber(), partition_by=[F(f) for f in STEP], order_by=F("waited").asc()),
        n=Window(Count("pk"), partition_by=[F(f) for f in STEP]),
    )
    picked = ranked.filter(Q(rank=(F("n") + 1) / 2) | Q(rank=(F("n") * 9 + 9) / 10)).values(
        "review__policy_id", "review__policy__name", "step", "rank", "n", "waited")
    steps: dict[tuple[int, int], dict[str, Any]] = {}
    names = {(s["policy_id"], s["position"]): s for s in ApprovalStep.objects.filter(
        policy_id__in={p["review__policy_id"] for p in picked}).values("policy_id", "position", "name", "group__name")}
    for p in picked:
        key = (p["review__policy_id"], p["step"])
        known: Mapping[str, Any] = names.get(key) or {}
        row = steps.setdefault(key, {
            "policy": p["review__policy__name"], "position": p["step"],
            "step": known.get("name", f"Step {p['step']}"), "reviewer_group": known.get("group__name", ""),
            "count": p["n"], "median_s": None, "p90_s": None})
        if p["rank"] == (p["n"] + 1) // 2:
            row["median_s"] = _seconds(p["waited"])
        if p["rank"] == (p["n"] * 9 + 9) // 10:
            row["p90_s"] = _seconds(p["waited"])
    return [steps[key] for key in sorted(steps, key=lambda k: (steps[k]["policy"], k[1]))]


def waiting_reviews(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Revisions in review now, longest waiting first: since when (submission) and at which step."""
    now = timezone.now()
    step_name = ApprovalStep.objects.filter(policy_id=OuterRef("policy_id"), position=OuterRef("step")).values("name")
    rows = (in_scope(Review.objects.open(), user, q, "version__asset")
            .annotate(step_name=Subquery(step_name[:1]))
            .order_by("created_at", "pk")
            .values("version__asset__uid", "version__asset__title", "version__number", "step", "step_name",
                    "created_at")[:WAITING_SHOWN])
    return [{"uid": str(r["version__asset__uid"]), "title": r["version__asset__title"],
             "version": r["version__number"], "step": r["step_name"] or f"Step {r['step']}",
             "waiting_since": iso(r["created_at"]), "waiting_s": _seconds(now - r["created_at"]), "count": 1}
            for r in rows]


def review_outcomes(user: Any, q: ReportQuery) -> list[dict[str, Any]]:
    """Per contributor team, the revisions submitted in the period, how many came back with changes requested
    and how many were rejected (and that share). A contributor's team is each of their groups other than the
    role groups; a contributor in no team is a row of their own."""
    per_person = list(
        in_scope(in_period(Review.objects.order_by(), q), user, q, "version__asset")
        .values("submitted_by_id", "submitted_by__username", "submitted_by__first_name", "submitted_by__last_name")
        .annotate(submitted=Count("version_id", distinct=True),
                  changes_requested=Count("pk", filter=Q(outcome=Review.Outcome.CHANGES_REQUESTED)),
                  rejected=Count("version_id", distinct=True, filter=Q(outcome=Review.Outcome.REJECTED))))
    people = [p["submitted_by_id"] for p in per_person if p["submitted_by_id"]]
    teams: dict[int, list[str]] = defaultdict(list)
    memberships = (User.groups.through.objects.filter(user_id__in=people)
                   .exclude(group__name__in=ROLE_GROUP_NAMES.values()).values_list("user_id", "group__name"))
    for person, team in memberships:
        teams[person].append(team)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"submitted": 0, "changes_requested": 0, "rejected": 0})
    for p in per_person:
        # Named as on every page: the display name (full name, else the username).
        shown = f"{p['submitted_by__first_name']} {p['submitted_by__last_name']}".strip() or p["submitted_by__username"]
        names = teams.get(p["submitted_by_id"]) or [shown or "Former user"]
        for name in names:
            for key in ("submitted", "changes_requested", "rejected"):
                totals[name][key] += p[key]
    return [{"team": name, **t, "rejected_share": round(t["rejected"] / t["submitted"], 3) if t["submitted"] else 0.0}
            for name, t in sorted(totals.items(), key=lambda item: (-item[1]["submitted"], item[0]))]
