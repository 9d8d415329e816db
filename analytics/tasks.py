"""Analytics jobs (django-q2)."""
from __future__ import annotations

from analytics import digest


def digests_send_due_task() -> int:
    """Hourly (a django-q2 schedule): the weekly digests whose week has come; how many were sent."""
    return digest.digests_send_due()
