"""Usages: where each version of an asset went, and turning them outdated when that version stops being the one
to show (a newer one approved; the asset archived, its rights expired, or embargoed).

Pushes write their usages in distribution.connections.services; the picker, share links and delivery URLs
record theirs here. Turning usages outdated is one UPDATE per asset, whatever their number, then one
notification per person who sent them and one audit event (the webhook event usage.outdated).
"""
from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import audit
from accounts.models import User
from assets.models import Asset, AssetVersion
from assets.permissions import expiry_kept_collections, is_approved_and_usable
from distribution.models import Integration, ShareLink, Usage
from workflows.services.notifications import notify

logger = logging.getLogger(__name__)

# States a place can be outdated from: a push in place or still on its way, and what was picked or shared.
LIVE = (Usage.State.PUSHED, Usage.State.QUEUED)
# Remembered per process: the outside pages already recorded for a delivered version, so that a delivery URL
# fetched a thousand times from one page costs one lookup, not a thousand.
_seen_deliveries: set[tuple[int, str]] = set()
_SEEN_MAX = 50_000


def record_picks(*, actor: User, integration: Integration, origin: str,
                 versions: list[tuple[AssetVersion, str]]) -> int:
    """The picker handed these (version, preset) to a page of `origin`: one usage each."""
    Usage.objects.bulk_create([
        Usage(asset_id=version.asset_id, version=version, system=Usage.System.PICKER, integration=integration,
              preset=preset, remote_url=origin[:2000], by=actor, state=Usage.State.PUSHED)
        for version, preset in versions])
    return len(versions)


def record_share(*, link: ShareLink, url: str) -> int:
    """A share link was made: a usage of each of its assets' shown versions at the link's address."""
    assets = list(link.assets.exclude(approved_version=None).only("pk", "approved_version_id"))
    made = Usage.objects.bulk_create([
        Usage(asset_id=asset.pk, version_id=asset.approved_version_id, system=Usage.System.SHARE, share_link=link,
              remote_url=url[:2000], by=link.created_by, state=Usage.State.PUSHED)
        for asset in assets if asset.approved_version_id is not None], ignore_conflicts=True)
    return len(made)


def outside_page(referer: str, own_host: str = "") -> str:
    """The page of another site that a Referer names (scheme, host and path, no query); "" when there is none or
    it is the DAM itself (its public address, or `own_host`, the Host the request came to)."""
    try:
        parts = urlsplit(referer)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return ""
    if host == (urlsplit(settings.DAM_BASE_URL).hostname or "").lower() or parts.netloc.lower() == own_host.lower():
        return ""
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"[:2000]


def record_delivery(*, asset_id: int, version_id: int, preset: str, referer: str, own_host: str = "",
                    integration_id: int | None = None) -> bool:
    """A delivery URL was fetched for a page of another site: that page is a usage (once). True when new."""
    page = outside_page(referer, own_host)
    if not page or (version_id, page) in _seen_deliveries:
        return False
    if len(_seen_deliveries) > _SEEN_MAX:
        _seen_deliveries.clear()
    _seen_deliveries.add((version_id, page))
    try:
        with transaction.atomic():
            _, made = Usage.objects.get_or_create(
                version_id=version_id, system=Usage.System.DELIVERY, remote_url=page,
                defaults={"asset_id": asset_id, "preset": preset, "integration_id": integration_id,
                          "state": Usage.State.PUSHED})
    except IntegrityError:  # another process recorded the same page at the same moment
        return False
    return made


def outdate(asset: Asset, *, reason: str, actor: User | None = None, keep_version_id: int | None = None) -> int:
    """Turn the asset's live usages outdated (those of every version but `keep_version_id`, the one now approved):
    one statement; the people who sent them are notified once each; the audit event is the webhook's
    usage.outdated. Returns how many turned."""
    live = Usage.objects.filter(asset=asset, state__in=LIVE)
    if keep_version_id is not None:
        live = live.exclude(version_id=keep_version_id)
    senders = set(live.exclude(by=None).exclude(system=Usage.System.DELIVERY).values_list("by", flat=True)
                  .distinct())
    turned = live.update(state=Usage.State.OUTDATED, outdated_at=timezone.now(), reason=reason[:1000])
    if not turned:
        return 0
    audit.record("distribution.usage.outdated", actor=actor, target=asset, usages=turned, reason=reason)
    people = User.objects.filter(pk__in=senders, is_active=True)
    places = "place" if turned == 1 else "places"
    notify(people, verb="distribution.usage.outdated",
           message=f"“{asset.title}” is used in {turned} {places} with a version that is no longer current: {reason}",
           url=asset.get_absolute_url() + "#used-in")
    return turned


def outdate_unusable() -> int:
    """Outdate the usages of assets whose rights have run out or whose embargo began since they were sent (the
    minute schedule); the approval and archiving that cause the rest are seen as they happen (receivers)."""
    now = timezone.now()
    # Expired assets of folders that keep them in use (Collection.rights_on_expiry = notify) are still usable.
    expired = Q(rights_expire_at__lte=now) & ~Q(collection_id__in=expiry_kept_collections())
    stale = (Asset.objects.filter(usages__state__in=LIVE)
             .filter(expired | Q(embargo_until__gt=now)).distinct())
    turned = 0
    for asset in stale[:500]:
        why = "its usage rights expired." if asset.rights_expire_at and asset.rights_expire_at <= now \
            else "it is under embargo."
        turned += outdate(asset, reason=f"The asset may no longer be used: {why}")
    return turned


def on_audit_event(sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any) -> None:
    """post_save receiver on AuditEvent: an approval, an archiving or an edit that makes the asset unusable
    turns its usages outdated, in the same transaction."""
    if not created or raw or instance.verb not in _CAUSES:
        return
    asset = Asset.objects.filter(pk=instance.target_id).first() if _targets_asset(instance) else None
    if asset is None or not Usage.objects.filter(asset=asset, state__in=LIVE).exists():
        return
    if instance.verb == "workflows.version.approved":
        number = (instance.data or {}).get("version")
        outdate(asset, actor=instance.actor, keep_version_id=asset.approved_version_id,
                reason=f"version {number} was approved." if number else "a newer version was approved.")
    elif instance.verb == "archive.asset.archived":
        outdate(asset, actor=instance.actor, reason="the asset was archived.")
    elif not is_approved_and_usable(asset):
        outdate(asset, actor=instance.actor, reason="the asset may no longer be used (rights or embargo changed).")


_CAUSES = {"workflows.version.approved", "archive.asset.archived", "assets.asset.updated",
           "assets.asset.bulk_updated"}


def _targets_asset(event: Any) -> bool:
    model = event.target_type.model_class() if event.target_type_id else None
    return model is Asset and bool(event.target_id)
