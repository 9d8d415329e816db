"""Sending deliveries: the signature, one attempt, and retries with backoff.

Retries: django-q2 has no delayed tasks, so a failed attempt sets the delivery's `next_attempt_at` and a
schedule (migration distribution/0003, every minute) queues the deliveries that are due. One periodic sweep
rather than a Schedule row per retry: it keeps no rows to clean up, and it also sends deliveries whose job
was lost (a queue emptied, a cluster killed with the job in hand), as the rendition watchdog does. A minute's
granularity is nothing next to waits of 30 s to 40 min.

Each attempt first claims its delivery with one conditional UPDATE (counting the attempt and holding the
delivery for HOLD), so two jobs for one delivery (its own and the sweep's) never both send it.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from distribution import outbound
from distribution.models import PING_EVENT, WebhookDelivery

logger = logging.getLogger(__name__)

TASK = "distribution.tasks.webhook_deliver_task"
# The job's time limit: above a connection's and an answer's timeouts (outbound), for a receiver that trickles
# its answer byte by byte; below Q_CLUSTER["retry"], so the broker never hands a running job out again.
TASK_TIMEOUT = 60
# Attempts before a delivery is failed, and the wait after the first failed one, tripled after each:
# 30 s, 1.5 min, 4.5 min, 13.5 min, 40.5 min, so the sixth attempt comes about an hour after the first.
MAX_ATTEMPTS = 6
FIRST_WAIT = timedelta(seconds=30)
# An attempt in progress holds its delivery this long (above TASK_TIMEOUT): a job killed while sending leaves
# it to the sweep after that.
HOLD = timedelta(minutes=2)
# A new delivery its job has not taken this long after it was written lost its job: the sweep sends it.
LOST_AFTER = timedelta(minutes=1)
# How many due deliveries one sweep queues (the next minute's sweep takes the rest).
SWEEP_BATCH = 500

_PENDING = WebhookDelivery.Status.PENDING
_TURNED_OFF = "Not sent: the webhook was turned off."


def wait_after(attempts: int) -> timedelta:
    """How long after its `attempts`-th failed attempt a delivery is tried again."""
    return FIRST_WAIT * 3 ** (attempts - 1)


def encode(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for a body."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The X-DAM-Signature header: t=UNIX,v1=HEX, HEX = HMAC-SHA256(secret, "UNIX.BODY") (docs/webhooks.md)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def queue(delivery_ids: list[int]) -> None:
    """Queue one job per delivery; call only after the deliveries' transaction commits."""
    # In a transaction of its own, as assets.services.renditions.queue_renditions explains (the ORM broker
    # closes the caller's connection when it enqueues outside one).
    with transaction.atomic():
        for pk in delivery_ids:
            async_task(TASK, pk, task_name=f"webhook-delivery-{pk}", group="webhooks", timeout=TASK_TIMEOUT)


def delivery_attempt(*, delivery_id: int) -> WebhookDelivery | None:
    """Send a pending delivery that is due, once, and record the outcome; None when it was not due (safe to
    run twice: a delivered, failed, held or waiting delivery is left alone)."""
    now = timezone.now()
    # The claim is committed before anything is sent: another job for the same delivery finds it held.
    claimed = WebhookDelivery.objects.filter(Q(attempts=0) | Q(next_attempt_at__lte=now), pk=delivery_id,
                                             status=_PENDING).update(
        attempts=F("attempts") + 1, last_attempt_at=now, next_attempt_at=now + HOLD)
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:  # its webhook was deleted meanwhile
        return None
    started = time.monotonic()
    code, error = _send(delivery)
    done = timezone.now()
    outcome: dict[str, Any] = {"response_code": code, "error": error[:500],
                               "duration_ms": round((time.monotonic() - started) * 1000)}
    if not error:
        outcome.update(status=WebhookDelivery.Status.DELIVERED, delivered_at=done, next_attempt_at=None)
    elif delivery.attempts >= MAX_ATTEMPTS or error == _TURNED_OFF:
        outcome.update(status=WebhookDelivery.Status.FAILED, next_attempt_at=None)
    else:
        outcome.update(next_attempt_at=done + wait_after(delivery.attempts))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**outcome)  # a webhook deleted meanwhile: nothing
    for field, value in outcome.items():
        setattr(delivery, field, value)
    return delivery


def _send(delivery: WebhookDelivery) -> tuple[int | None, str]:
    """One POST of the delivery: (the answer's status, the error in a sentence or "")."""
    webhook = delivery.webhook
    # Turned off after the event: its retries stop. A test event or "Send again" was asked for by a person.
    if not webhook.active and delivery.event != PING_EVENT and delivery.redelivery_of_id is None:
        return None, _TURNED_OFF
    try:
        secret = outbound.unseal(webhook.secret_sealed)
        body = encode(delivery.payload)
        headers = {"Content-Type": "application/json", "User-Agent": "DAM-Webhooks/1",
                   "X-DAM-Event": delivery.event, "X-DAM-Delivery": str(delivery.pk),
                   "X-DAM-Signature": signature(secret, int(time.time()), body)}
        answer = outbound.post(webhook.url, body, headers)
    except outbound.Refused as exc:
        return None, f"Not sent: {exc}"
    except outbound.CallFailed as exc:
        return None, str(exc)
    except Exception as exc:  # a bug must not leave the delivery held with no reason given
        logger.exception("Webhook delivery %s could not be sent", delivery.pk)
        return None, f"The DAM could not send it ({type(exc).__name__})."
    if 200 <= answer.status < 300:
        return answer.status, ""
    said = f"The receiver answered {answer.status}{f' {answer.reason}' if answer.reason else ''}"
    if 300 <= answer.status < 400:
        where = f" to {answer.location}" if answer.location else ""
        return answer.status, f"{said}, a redirect{where}, which is not followed; subscribe the final address."
    return answer.status, f"{said}."


def deliveries_retry_due() -> int:
    """Queue a job for each pending delivery that is due (its wait passed, or its job was lost)."""
    due = list(WebhookDelivery.objects.filter(status=_PENDING, next_attempt_at__lte=timezone.now())
               .order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_BATCH])
    if due:
        queue(due)
    return len(due)
