"""Reads of webhook subscriptions and their delivery logs, permission-filtered."""
from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from accounts import permissions as authority
from distribution.models import Webhook, WebhookDelivery


def webhooks_for(user: Any) -> QuerySet[Webhook]:
    """The subscriptions the user may see, each with its last delivery's status, answer and time."""
    last = WebhookDelivery.objects.filter(webhook=OuterRef("pk")).order_by("-created_at", "-id")
    return authority.visible(user, Webhook.objects.all()).select_related("created_by").annotate(
        last_status=Subquery(last.values("status")[:1]),
        last_response_code=Subquery(last.values("response_code")[:1]),
        last_delivery_at=Subquery(last.values("created_at")[:1]),
    ).order_by("-created_at", "-id")


def deliveries_of(webhook: Webhook) -> QuerySet[WebhookDelivery]:
    """A subscription's delivery log, newest first (forms_webhooks.DeliveryFilter narrows it)."""
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-id")
