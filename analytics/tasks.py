"""Analytics jobs (django-q2)."""
from __future__ import annotations

from analytics import digest, rollups


def digests_send_due_task() -> int:
    """Hourly (a django-q2 schedule): the weekly digests whose week has come; how many were sent."""
    return digest.digests_send_due()


def rollups_catch_up_task() -> dict[str, int]:
    """Hourly (a django-q2 schedule): roll up the days that are over and not rolled up yet; days rolled per table.
    Safe to run twice: a day is replaced whole. A long catch-up stops within its budget and the next run goes on."""
    return rollups.catch_up(budget_s=rollups.JOB_BUDGET_S)
