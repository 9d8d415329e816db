"""Which audit verbs are webhook events, what a delivery carries, and writing the deliveries.

Deliveries are rows written in the transaction of the action that caused the event (an outbox): a
rolled-back action leaves none, a committed one is sent even if its job is lost, and the jobs that send
them are queued only once the action commits, so the action never waits for a receiver.
"""
from __future__ import annotations

import logging
import uuid
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent, User
from assets.models import Asset
from distribution.models import Preset, Webhook, WebhookDelivery, WebhookEvent
from distribution.webhooks import delivery

logger = logging.getLogger(__name__)

# Audit verbs (accounts.audit.record) that are webhook events. Verbs of apps above distribution are named
# here as strings: distribution may not import them (apps import downward only).
VERB_EVENTS: dict[str, WebhookEvent] = {
    "assets.asset.created": WebhookEvent.ASSET_CREATED,
    "assets.asset.updated": WebhookEvent.ASSET_UPDATED,
    "assets.asset.bulk_updated": WebhookEvent.ASSET_UPDATED,
    "workflows.version.submitted": WebhookEvent.VERSION_SUBMITTED,
    "workflows.version.resubmitted": WebhookEvent.VERSION_SUBMITTED,
    "workflows.version.approved": WebhookEvent.VERSION_APPROVED,
    "workflows.version.rejected": WebhookEvent.VERSION_REJECTED,
    "archive.asset.archived": WebhookEvent.ASSET_ARCHIVED,
    "archive.asset.restored": WebhookEvent.ASSET_RESTORED,
    "archive.rights.expiring": WebhookEvent.RIGHTS_EXPIRING,
    "archive.rights.expired": WebhookEvent.RIGHTS_EXPIRED,
    "distribution.usage.outdated": WebhookEvent.USAGE_OUTDATED,
}

# What of an audit event's data a delivery carries besides the asset: facts, never comments, file names or
# old values (asset.updated names the fields that changed, not what they held).
FACTS = ("version", "superseded_version", "reason", "share_link", "rendition", "expires_at", "connection", "usage",
         "usages")


def asset_payload(asset: Asset) -> dict[str, Any]:
    """The asset as every delivery shows it: its public fields and where to find it, with its delivery URL per
    preset while it is published (signed ones valid for distribution.delivery.SIGNED_FOR)."""
    from distribution import delivery

    approved = asset.approved_version
    urls = {}
    if approved is not None and delivery.is_deliverable(asset):
        urls = {preset.name: settings.DAM_BASE_URL + delivery.url_for(asset, preset).path
                for preset in Preset.objects.filter(restricted=False)}
    return {
        "uid": str(asset.uid),
        "title": asset.title,
        "type": asset.asset_type,
        "collection": asset.collection_id,
        "approved_version": approved.number if approved is not None else None,
        "rights_expire_at": asset.rights_expire_at.isoformat() if asset.rights_expire_at else None,
        "archived": asset.archived_at is not None,
        "asset_url": settings.DAM_BASE_URL + asset.get_absolute_url(),
        "api_url": settings.DAM_BASE_URL + reverse("api:asset", args=[asset.uid]),
        "delivery_urls": urls,
    }


def body(event: str, data: dict[str, Any], created_at: datetime | None = None) -> dict[str, Any]:
    """A delivery's body; `id` names the event, the same in every subscription's delivery and when sent again."""
    return {"id": str(uuid.uuid4()), "event": event, "created_at": (created_at or timezone.now()).isoformat(),
            "data": data}


def subscribers(event: str) -> list[Webhook]:
    # A handful of rows; read whole because JSON containment is not available on SQLite.
    return [hook for hook in Webhook.objects.filter(active=True).only("pk", "events") if event in hook.events]


def announce(event: WebhookEvent, *, asset: Asset | None, actor: User | None = None,
             created_at: datetime | None = None, **facts: Any) -> list[WebhookDelivery]:
    """Write one delivery per active subscription to `event`, sent once the current transaction commits.

    Never raises: a webhook that cannot be written is logged, and the action that caused the event goes on.
    """
    hooks = subscribers(event.value)
    return _write(hooks, event, asset=asset, actor=actor, created_at=created_at, facts=facts) if hooks else []


def _write(hooks: list[Webhook], event: WebhookEvent, *, asset: Asset | None, actor: User | None,
           created_at: datetime | None, facts: dict[str, Any]) -> list[WebhookDelivery]:
    try:
        # A savepoint: a failure here rolls back these rows only, never the caller's transaction.
        with transaction.atomic():
            data: dict[str, Any] = {"asset": asset_payload(asset) if asset is not None else None,
                                    "actor": actor.username if actor is not None else None, **facts}
            payload = body(event.value, data, created_at)
            made = [WebhookDelivery.objects.create(webhook=hook, event=event.value, payload=payload,
                                                   next_attempt_at=timezone.now() + delivery.LOST_AFTER)
                    for hook in hooks]
            transaction.on_commit(partial(delivery.queue, [d.pk for d in made]))
    except Exception:
        logger.exception("Webhook deliveries for %s could not be written", event.value)
        return []
    return made


def on_audit_event(sender: type[AuditEvent], instance: AuditEvent, created: bool, raw: bool = False,
                   **kwargs: Any) -> None:
    """post_save receiver on AuditEvent: an event a subscription listens to becomes deliveries."""
    event = VERB_EVENTS.get(instance.verb)
    if not created or raw or event is None:
        return
    hooks = subscribers(event.value)
    if not hooks:
        return
    target = _target(instance)
    asset = target if isinstance(target, Asset) else getattr(target, "asset", None)
    data = instance.data if isinstance(instance.data, dict) else {}
    facts: dict[str, Any] = {key: data[key] for key in FACTS
                             if key in data and isinstance(data[key], str | int | float | bool | None)}
    if event == WebhookEvent.ASSET_UPDATED:
        facts["fields"] = sorted(data.get("changes") or {})
    if target is not None and not isinstance(target, Asset):
        facts["target"] = {"type": f"{target._meta.app_label}.{target._meta.model_name}", "id": instance.target_id}
    _write(hooks, event, asset=asset if isinstance(asset, Asset) else None, actor=instance.actor,
           created_at=instance.created_at, facts=facts)


def _target(event: AuditEvent) -> Any:
    if event.target_type_id is None or not event.target_id:
        return None
    model = event.target_type.model_class() if event.target_type else None
    if model is None:
        return None
    if model is Asset:
        return Asset.objects.select_related("approved_version").filter(pk=event.target_id).first()
    return model._default_manager.filter(pk=event.target_id).first()


def share_link_downloaded(*, link_id: int, asset: Asset, rendition: str) -> None:
    """Called by distribution.services.share_download, in its transaction, for each download through a link."""
    announce(WebhookEvent.SHARE_LINK_DOWNLOADED, asset=asset, share_link=link_id, rendition=rendition)
