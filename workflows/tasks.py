"""Background jobs of the review workflow: take ids, call a service, safe to run twice."""
from __future__ import annotations

from workflows import services


def notification_email_task(notification_ids: list[int]) -> int:
    return services.notifications_send_email(notification_ids=notification_ids)


def notification_digest_task() -> int:
    return services.notifications_send_digest()
