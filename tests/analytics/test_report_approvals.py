"""Approval panels, with the times of submissions and decisions set by the test (no clock is read)."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from analytics.selectors import ReportQuery, report
from tests.factories import approve_for_test, make_asset, upload_as
from workflows import services as workflow
from workflows.models import Review, ReviewDecision

pytestmark = pytest.mark.django_db
HOUR = 3600


def nearest_rank(values: list[int], share: float) -> int:
    return sorted(values)[math.ceil(share * len(values)) - 1]


def approved_after(asset, submitted: dt.datetime, step_hours: list[int]) -> None:
    """Approve the asset's current version, then date its submission and each step's approval."""
    approve_for_test(asset)
    review = Review.objects.get(version_id=asset.current_version_id)
    Review.objects.filter(pk=review.pk).update(created_at=submitted)
    for step, hours in enumerate(step_hours, start=1):
        ReviewDecision.objects.filter(review=review, step=step).update(created_at=submitted + dt.timedelta(hours=hours))


def test_median_and_p90_per_step(people):
    now = timezone.now()
    first = [1, 2, 3, 4, 10]   # hours from submission to the editors' approval
    second = [2, 5, 6, 8, 30]  # ... to the brand managers' sign-off
    for n, (a, b) in enumerate(zip(first, second, strict=True)):
        approved_after(make_asset(people["editor"], title=f"A{n}"), now - dt.timedelta(days=5), [a, b])
    rows = report(people["admin"], ReportQuery.last(30, now=now), ["approval_times"])["approval_times"]
    assert [(r["position"], r["reviewer_group"], r["count"]) for r in rows] == [
        (1, "Editor", 5), (2, "Brand manager", 5)]
    assert rows[0]["median_s"] == nearest_rank(first, 0.5) * HOUR == 3 * HOUR
    assert rows[0]["p90_s"] == nearest_rank(first, 0.9) * HOUR == 10 * HOUR
    assert rows[1]["median_s"] == 6 * HOUR and rows[1]["p90_s"] == 30 * HOUR


def test_approvals_outside_the_period_are_not_counted(people):
    now = timezone.now()
    approved_after(make_asset(people["editor"]), now - dt.timedelta(days=60), [1, 2])
    assert report(people["admin"], ReportQuery.last(30, now=now), ["approval_times"]) == {"approval_times": []}
    custom = ReportQuery(start=now - dt.timedelta(days=61), end=now - dt.timedelta(days=50))
    assert [r["count"] for r in report(people["admin"], custom, ["approval_times"])["approval_times"]] == [1, 1]


def test_waiting_reviews_oldest_first(people):
    now = timezone.now()
    older, newer = upload_as(people["contributor"], title="Older"), upload_as(people["contributor"], title="Newer")
    for asset, days in ((older, 3), (newer, 1)):
        workflow.version_submit(version_id=asset.current_version_id, actor=people["contributor"])
        Review.objects.filter(version_id=asset.current_version_id).update(created_at=now - dt.timedelta(days=days))
    rows = report(people["admin"], ReportQuery.last(30), ["waiting_reviews"])["waiting_reviews"]
    assert [(r["title"], r["version"], r["step"]) for r in rows] == [("Older", 1, "Editorial check"),
                                                                      ("Newer", 1, "Editorial check")]
    # Waiting since the submission the test dated: at least that long (the report reads the clock after us).
    assert 3 * 86400 <= rows[0]["waiting_s"] < 3 * 86400 + 600


def test_review_outcomes_per_team(people):
    agency = Group.objects.create(name="Agency North")
    people["contributor"].groups.add(agency)
    outcomes = []
    for title, decision in (("Kept", None), ("Again", "changes"), ("No", "reject"), ("Also no", "reject")):
        asset = upload_as(people["contributor"], title=title)
        version = asset.current_version_id
        workflow.version_submit(version_id=version, actor=people["contributor"])
        if decision == "changes":
            workflow.version_request_changes(version_id=version, actor=people["editor"], comment="Crop it")
        elif decision == "reject":
            workflow.version_reject(version_id=version, actor=people["editor"], comment="Off brand")
        outcomes.append(decision)
    solo = upload_as(people["editor"], title="Editor's own")
    workflow.version_submit(version_id=solo.current_version_id, actor=people["editor"])
    data = report(people["admin"], ReportQuery.last(30), ["review_outcomes"])
    rows = {r["team"]: r for r in data["review_outcomes"]}
    assert rows["Agency North"] == {"team": "Agency North", "submitted": 4,
                                    "changes_requested": outcomes.count("changes"),
                                    "rejected": outcomes.count("reject"), "rejected_share": 0.5}
    assert rows["editor"]["submitted"] == 1 and rows["editor"]["rejected"] == 0
