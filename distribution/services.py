"""Share links: making, revoking, and answering the people who open them."""
from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset, AssetVersion
from assets.permissions import approved_and_usable
from dam.errors import Gone
from distribution.models import DownloadEvent, ShareLink
from distribution.receivers import count_download
from distribution.webhooks import events as webhook_events

# What a link may offer; new links offer web-size copies, and the original only when its maker asks.
RENDITION_CHOICES = ("web", "preview", "thumb", "original")
DEFAULT_RENDITIONS = ("preview", "web")
# Renditions that are pictures: a link that offers one shows thumbnails on its page.
PICTURES = ("web", "preview", "thumb")


@transaction.atomic
def share_link_create(*, actor: User, assets: Iterable[Asset], expires_at: datetime | None = None,
                      password: str = "", max_downloads: int | None = None,
                      renditions: Iterable[str] = DEFAULT_RENDITIONS, title: str = "",
                      keep_location: bool = False) -> ShareLink:
    """Make a public link to approved assets the actor may share.

    Originals it offers leave without their location unless `keep_location`.
    """
    authority.require(actor, "create", ShareLink)
    assets = list(assets)
    if not assets:
        raise ValidationError({"assets": "Choose at least one asset."})
    for asset in assets:
        if not authority.can(actor, "share", asset):
            raise ValidationError({"assets": f"“{asset.title}” cannot be shared: only approved, live assets can."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    renditions = list(dict.fromkeys(renditions))
    unknown = set(renditions) - set(RENDITION_CHOICES)
    if unknown or not renditions:
        raise ValidationError({"renditions": f"Choose from: {', '.join(RENDITION_CHOICES)}."})
    link = ShareLink.objects.create(
        token=secrets.token_urlsafe(24), title=title[:200], created_by=actor, expires_at=expires_at,
        password_hash=make_password(password) if password else "", max_downloads=max_downloads,
        renditions=renditions, keep_location=keep_location,
    )
    link.assets.set(assets)
    audit.record("distribution.share_link.created", actor=actor, target=link, assets=[str(a.uid) for a in assets],
                 expires_at=expires_at.isoformat() if expires_at else None, max_downloads=max_downloads,
                 renditions=renditions, keep_location=keep_location)
    return link


@transaction.atomic
def share_link_revoke(*, link: ShareLink, actor: User) -> ShareLink:
    """Stop a link working; revoking twice is harmless."""
    authority.require(actor, "revoke", link)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit.record("distribution.share_link.revoked", actor=actor, target=link)
    return link


def share_link_open(token: str) -> ShareLink:
    """The link for a token, if it still works; Gone (410) when revoked, expired or used up."""
    link = ShareLink.objects.filter(token=token).first()
    if link is None:
        raise ShareLink.DoesNotExist
    if link.revoked_at is not None:
        raise Gone("This link was withdrawn by the person who shared it.")
    if link.expires_at is not None and link.expires_at <= timezone.now():
        raise Gone("This link has expired.")
    if link.max_downloads is not None and link.download_count >= link.max_downloads:
        raise Gone("This link has been used as many times as it allows.")
    return link


def share_link_password_ok(link: ShareLink, password: str) -> bool:
    return not link.password_hash or check_password(password, link.password_hash)


def shared_assets(link: ShareLink) -> list[Asset]:
    """What the link shows now: its assets that are still approved, live and in rights."""
    return list(link.assets.filter(approved_and_usable()).select_related("approved_version"))


@transaction.atomic
def share_download(*, link: ShareLink, asset_uid: str, rendition: str) -> AssetVersion:
    """Count one download through a link and return the approved version to send."""
    if rendition not in link.renditions:
        raise ValidationError({"rendition": f"This link offers: {', '.join(link.renditions)}."})
    asset = next((a for a in shared_assets(link) if str(a.uid) == str(asset_uid)), None)
    if asset is None or asset.approved_version is None:
        raise Asset.DoesNotExist
    # Conditional increment: two people racing for the last download cannot both get it.
    limit = Q(max_downloads__isnull=True) | Q(download_count__lt=F("max_downloads"))
    if not ShareLink.objects.filter(limit, pk=link.pk).update(download_count=F("download_count") + 1):
        raise Gone("This link has been used as many times as it allows.")
    DownloadEvent.objects.create(asset=asset, version=asset.approved_version, rendition=rendition, share_link=link)
    count_download(asset.pk)
    webhook_events.share_link_downloaded(link_id=link.pk, asset=asset, rendition=rendition)
    return asset.approved_version
