"""Webhook subscriptions (admins): create, edit, delete, send a delivery again, send a test event."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from distribution import outbound
from distribution.models import PING_EVENT, Webhook, WebhookDelivery, WebhookEvent
from distribution.webhooks import delivery, events

MAX_URL_LENGTH = 2000


def _clean(url: str | None, chosen: Iterable[str] | None) -> dict[str, Any]:
    """The checked url and events that were given, or ValidationError naming the fields."""
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if url is not None:
        url = url.strip()
        if not url:
            errors["url"] = ["Give the address to send events to."]
        elif len(url) > MAX_URL_LENGTH:
            errors["url"] = [f"The address is longer than {MAX_URL_LENGTH} characters."]
        else:
            try:
                outbound.check_url(url, unresolved_ok=True)
            except outbound.Refused as exc:
                errors["url"] = [str(exc)]
            cleaned["url"] = url
    if chosen is not None:
        chosen = list(dict.fromkeys(chosen))
        unknown = [e for e in chosen if e not in WebhookEvent.values]
        if unknown:
            errors["events"] = [f"Unknown events: {', '.join(unknown)}. Choose from: {', '.join(WebhookEvent.values)}."]
        elif not chosen:
            errors["events"] = ["Choose at least one event."]
        cleaned["events"] = [e for e in WebhookEvent.values if e in chosen]
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def webhook_create(*, actor: User | None, url: str, events: Iterable[str], active: bool = True
                   ) -> tuple[Webhook, str]:
    """Subscribe an address to events; returns the webhook and its signing secret, which is never shown again."""
    if actor is not None:
        authority.require(actor, "create", Webhook)
    cleaned = _clean(url, events)
    secret = "whsec_" + secrets.token_urlsafe(32)
    webhook = Webhook.objects.create(url=cleaned["url"], events=cleaned["events"], active=active,
                                     secret_sealed=outbound.seal(secret), created_by=actor)
    audit.record("distribution.webhook.created", actor=actor, target=webhook, url=webhook.url,
                 events=webhook.events, active=active)
    return webhook, secret


@transaction.atomic
def webhook_update(*, webhook: Webhook, actor: User | None, url: str | None = None,
                   events: Iterable[str] | None = None, active: bool | None = None) -> Webhook:
    """Change a subscription's address, events or whether it is on; what is not given stays."""
    if actor is not None:
        authority.require(actor, "change", webhook)
    changes = _clean(url, events)
    if active is not None:
        changes["active"] = active
    locked = Webhook.objects.select_for_update().get(pk=webhook.pk)
    diff = {field: [getattr(locked, field), value] for field, value in changes.items()
            if getattr(locked, field) != value}
    if diff:
        for field, (_, value) in diff.items():
            setattr(locked, field, value)
        locked.save(update_fields=[*diff, "updated_at"])
        audit.record("distribution.webhook.updated", actor=actor, target=locked, changes=diff)
    return locked


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor: User | None) -> None:
    """Remove a subscription and its delivery log; nothing more is sent to it."""
    if actor is not None:
        authority.require(actor, "delete", webhook)
    audit.record("distribution.webhook.deleted", actor=actor, target=webhook, url=webhook.url)
    webhook.delete()


def _queue_new(webhook: Webhook, event: str, payload: dict[str, Any],
               redelivery_of: WebhookDelivery | None = None) -> WebhookDelivery:
    made = WebhookDelivery.objects.create(webhook=webhook, event=event, payload=payload, redelivery_of=redelivery_of,
                                          next_attempt_at=timezone.now() + delivery.LOST_AFTER)
    transaction.on_commit(partial(delivery.queue, [made.pk]))
    return made


@transaction.atomic
def delivery_redeliver(*, delivery: WebhookDelivery, actor: User | None) -> WebhookDelivery:
    """Send a delivery's body again, as a new delivery (the body's `id` stays, X-DAM-Delivery is new)."""
    webhook = delivery.webhook
    if actor is not None:
        authority.require(actor, "redeliver", webhook)
    again = _queue_new(webhook, delivery.event, delivery.payload, redelivery_of=delivery)
    audit.record("distribution.webhook.redelivered", actor=actor, target=webhook, delivery=delivery.pk,
                 redelivery=again.pk, event=delivery.event)
    return again


@transaction.atomic
def webhook_ping(*, webhook: Webhook, actor: User | None) -> WebhookDelivery:
    """Send a test event (`ping`) to a subscription, whatever events it chose and even when it is off."""
    if actor is not None:
        authority.require(actor, "ping", webhook)
    payload = events.body(PING_EVENT, {"webhook": webhook.pk, "events": webhook.events,
                                       "message": "A test event sent from the DAM."})
    made = _queue_new(webhook, PING_EVENT, payload)
    audit.record("distribution.webhook.pinged", actor=actor, target=webhook, delivery=made.pk)
    return made


RULE_EVENT = "automation.rule"


@transaction.atomic
def webhook_send_for_rule(*, webhook: Webhook, asset: Any, rule_name: str, run_id: int,
                          actor: User | None) -> WebhookDelivery:
    """An automation rule's "send a webhook": one delivery per run, through the outbox (signed, retried)."""
    if actor is not None:
        authority.require(actor, "view", webhook)
    sent = WebhookDelivery.objects.filter(webhook=webhook, event=RULE_EVENT, payload__data__run=run_id).first()
    if sent is not None:
        return sent
    payload = events.body(RULE_EVENT, {"asset": events.asset_payload(asset), "rule": rule_name, "run": run_id,
                                       "actor": actor.username if actor is not None else None})
    return _queue_new(webhook, RULE_EVENT, payload)
