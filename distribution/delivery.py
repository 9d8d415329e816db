"""Delivery URLs: a stable address per (asset, preset) that always serves the current approved version.

`/d/<uid>/<preset>/<slug>.<ext>` answers with the preset's file of the asset's approved
version while the asset is approved, live and in rights, and 410 once it is archived,
expired or embargoed. Whether the URL needs a key is the collection's choice
(Collection.delivery): public, signed with an expiry (`?exp=UNIX&sig=HEX`, an HMAC over
uid, preset and expiry with a key derived from DAM_SECRET_KEY), or an integration's key
(`Authorization: Bearer <key>` or `?key=`). Responses carry an ETag that changes with the
approved version, the preset's recipe and the asset's rights (written into the file), so a CDN in front
of the DAM revalidates cheaply.
"""
from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.text import slugify

from assets.models import Asset, Collection
from assets.permissions import is_approved_and_usable
from distribution.derivatives import extension_for
from distribution.embedding import rights_tag
from distribution.models import Integration, Preset

SIGNED_FOR = 7 * 24 * 3600  # seconds a signed URL handed out by the API or the picker stays valid
SIGNED_FOR_MAX = 366 * 24 * 3600
_SALT = "dam.distribution.delivery"


class DeliveryRefused(Exception):
    """The URL is not valid for this asset and preset (tampered, expired, no key): 403."""


@dataclass(frozen=True)
class DeliveryUrl:
    preset: Preset
    path: str  # with the query string, if signed
    mode: str
    expires_at: int | None


def signature(uid: str, preset: str, expires: int) -> str:
    return salted_hmac(_SALT, f"{uid}/{preset}/{expires}", algorithm="sha256").hexdigest()


def file_name(asset: Asset, preset: Preset) -> str:
    version = asset.approved_version
    extension = extension_for(preset, version) if version else "bin"
    return f"{slugify(asset.title)[:80] or 'asset'}.{extension}"


def url_for(asset: Asset, preset: Preset, *, expires_in: int = SIGNED_FOR, now: float | None = None) -> DeliveryUrl:
    """The asset's delivery URL for a preset (a path); signed when its collection wants it."""
    path = reverse("delivery", args=[asset.uid, preset.name, file_name(asset, preset)])
    mode = asset.collection.delivery
    if mode != Collection.Delivery.SIGNED:
        return DeliveryUrl(preset, path, mode, None)
    expires = int((now or time.time()) + min(max(expires_in, 60), SIGNED_FOR_MAX))
    query = urlencode({"exp": expires, "sig": signature(str(asset.uid), preset.name, expires)})
    return DeliveryUrl(preset, f"{path}?{query}", mode, expires)


def delivered_asset(uid: Any) -> Asset | None:
    """The asset behind a delivery URL, or None when there is no such asset."""
    return Asset.objects.select_related("collection", "approved_version").filter(uid=uid).first()


def is_deliverable(asset: Asset) -> bool:
    """Approved, live, in rights: what delivery URLs serve (otherwise they answer 410)."""
    return is_approved_and_usable(asset)


def delivery_preset(name: str) -> Preset | None:
    """Presets restricted to editors are never delivered to outside tools."""
    return Preset.objects.filter(name=name, restricted=False).select_related("watermark").first()


def check_access(asset: Asset, preset: Preset, *, exp: str | None, sig: str | None, key: str | None,
                 now: float | None = None) -> Integration | None:
    """Whether this request may have the URL, by the collection's rule; the integration whose key opened it.

    Raises DeliveryRefused with the reason.
    """
    mode = asset.collection.delivery
    integration = integration_for_key(key) if key else None
    if key and integration is None:
        raise DeliveryRefused("This key is not valid (revoked or mistyped).")
    if mode == Collection.Delivery.PUBLIC or integration is not None:
        return integration
    if mode == Collection.Delivery.TOKEN:
        raise DeliveryRefused("This asset is delivered only to integrations: send the integration's key.")
    if not exp or not sig or not exp.isdigit():
        raise DeliveryRefused("This URL must be signed: ask the DAM for a current link.")
    if int(exp) < (now or time.time()):
        raise DeliveryRefused("This signed URL has expired: ask the DAM for a current link.")
    if not hmac.compare_digest(sig, signature(str(asset.uid), preset.name, int(exp))):
        raise DeliveryRefused("This URL's signature does not match: it was changed or is for another file.")
    return None


def integration_for_key(key: str) -> Integration | None:
    integration = Integration.objects.filter(key_hash=Integration.hash_key(key), revoked_at__isnull=True).first()
    if integration is not None and (integration.last_used_at is None
                                    or (timezone.now() - integration.last_used_at).total_seconds() > 60):
        # At most once a minute: a CDN pulling thousands of files must not write a row each time.
        Integration.objects.filter(pk=integration.pk).update(last_used_at=timezone.now())
    return integration


def etag(asset: Asset, preset: Preset, variant: str) -> str:
    version = asset.approved_version
    assert version is not None
    if preset.is_original:
        # The original goes with the asset's current rights written in (distribution.embedding): a rights
        # edit changes the bytes, so it changes the tag. Derivatives carry theirs in the recipe (`variant`).
        variant = f"rights-{rights_tag(asset)}"
    return f'"{version.sha256[:20]}-{preset.name}-{variant or "std"}"'

