"""Background jobs of distribution: take ids, call a service, safe to run twice."""
from __future__ import annotations

from distribution.connections import push
from distribution.webhooks import delivery


def webhook_deliver_task(delivery_id: int) -> str:
    """Send one webhook delivery if it is due (queued after its event's transaction commits)."""
    sent = delivery.delivery_attempt(delivery_id=delivery_id)
    return "not due" if sent is None else sent.status


def webhook_retry_task() -> int:
    """Every minute (migration distribution/0003): queue the deliveries whose next try is due."""
    return delivery.deliveries_retry_due()


def push_task(usage_ids: list[int]) -> dict[str, int]:
    """Send one push to Postiz or WordPress (queued after the push's transaction commits)."""
    return push.push_usages(usage_ids=usage_ids)


def push_retry_task() -> int:
    """Every minute (migration distribution/0007): pushes whose wait is over, or whose job was lost."""
    return push.push_retry_due()
