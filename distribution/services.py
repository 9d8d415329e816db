"""Share links: making, revoking, and answering the people who open them."""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset
from assets.permissions import approved_and_usable
from dam.errors import Gone
from distribution.connections import usages
from distribution.models import Lightbox, Preset, ShareLink, ShareLinkOpen, Watermark
from distribution.webhooks import events as webhook_events

# What new links offer unless their maker chooses: web-size copies, never the original.
DEFAULT_PRESETS = ("web",)
# The names a link made before presets offered, as presets (the API's `renditions` keeps working).
RENDITION_CHOICES = ("web", "preview", "thumb", "original")
PRESET_OF_RENDITION = {"original": "original", "web": "web", "preview": "web", "thumb": "thumbnail"}
MAX_RECIPIENTS = 50


def presets_from(presets: Iterable[str] | None, renditions: Iterable[str] | None) -> list[str]:
    """The preset names a link offers, from `presets` or the older `renditions`, checked."""
    names = list(dict.fromkeys(presets or [PRESET_OF_RENDITION.get(r, r) for r in renditions or []]))
    if not names:
        names = list(DEFAULT_PRESETS)
    known = dict(Preset.objects.filter(name__in=names).values_list("name", "restricted"))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValidationError({"presets": f"No preset named {', '.join(unknown)}; choose from "
                                          f"{', '.join(Preset.objects.values_list('name', flat=True))}."})
    if any(known.values()):
        raise ValidationError({"presets": "Restricted presets are for people who may edit an asset; a link cannot "
                                          "offer them."})
    return names


def _recipients(recipients: Iterable[str]) -> list[str]:
    cleaned = list(dict.fromkeys(r.strip().lower() for r in recipients if r and r.strip()))
    if len(cleaned) > MAX_RECIPIENTS:
        raise ValidationError({"recipients": f"At most {MAX_RECIPIENTS} recipients per link."})
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError:
            raise ValidationError({"recipients": f"“{address}” is not an e-mail address."}) from None
    return cleaned


@transaction.atomic
def share_links_create(*, actor: User, assets: Iterable[Asset] = (), lightbox: Lightbox | None = None,
                       expires_at: datetime | None = None, password: str = "", max_downloads: int | None = None,
                       presets: Iterable[str] | None = None, renditions: Iterable[str] | None = None,
                       watermark: Watermark | None = None, recipients: Iterable[str] = (), title: str = "",
                       description: str = "", keep_location: bool = False, message: str = "") -> list[ShareLink]:
    """Make public links to approved assets the actor may share: one, or one per recipient (each its own token,
    so downloads, analytics and watermarks name the person), sent to them by e-mail after the commit.

    From a lightbox: the members the actor may share, at this moment. Originals leave without their
    location unless `keep_location`; a watermarked link never offers the original.
    """
    authority.require(actor, "create", ShareLink)
    chosen = list(assets)
    if lightbox is not None:
        authority.require(actor, "view", lightbox)
        from distribution.lightboxes import members_visible_to

        chosen += [a for a in members_visible_to(actor, lightbox) if a not in chosen]
    if not chosen:
        raise ValidationError({"assets": "Choose at least one asset."})
    for asset in chosen:
        if not authority.can(actor, "share", asset):
            raise ValidationError({"assets": f"“{asset.title}” cannot be shared: only approved, live assets can."})
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    names = presets_from(presets, renditions)
    if watermark is not None and "original" in names:
        raise ValidationError({"watermark": "A watermark cannot be laid over original files: offer converted "
                                            "presets only, or no watermark."})
    people = _recipients(recipients) or [""]
    batch = uuid.uuid4()
    links = []
    for recipient in people:
        link = ShareLink.objects.create(
            token=secrets.token_urlsafe(24), title=title[:200], description=description, created_by=actor,
            expires_at=expires_at, password_hash=make_password(password) if password else "",
            max_downloads=max_downloads, presets=names, watermark=watermark, keep_location=keep_location,
            recipient=recipient, batch=batch, lightbox=lightbox)
        link.assets.set(chosen)
        usages.record_share(link=link, url=settings.DAM_BASE_URL + link.get_absolute_url())
        links.append(link)
    audit.record("distribution.share_link.created", actor=actor, target=links[0], assets=[str(a.uid) for a in chosen],
                 expires_at=expires_at.isoformat() if expires_at else None, max_downloads=max_downloads,
                 presets=names, watermark=watermark.name if watermark else None, keep_location=keep_location,
                 recipients=[r for r in people if r], lightbox=lightbox.pk if lightbox else None)
    for link in links:
        if link.recipient:
            transaction.on_commit(partial(_queue_mail, link.pk, message))
    return links


def _queue_mail(link_id: int, message: str) -> None:
    from django_q.tasks import async_task

    async_task("distribution.share_mail.share_link_mail_task", link_id, message, group="mail")


def share_link_create(**kwargs: object) -> ShareLink:
    """One link (no recipients, or the first recipient's): share_links_create."""
    return share_links_create(**kwargs)[0]  # type: ignore[arg-type]


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
    link = ShareLink.objects.select_related("watermark", "created_by").filter(token=token).first()
    if link is None:
        raise ShareLink.DoesNotExist
    if link.revoked_at is not None:
        raise Gone("This link was withdrawn by the person who shared it.")
    if link.expires_at is not None and link.expires_at <= timezone.now():
        raise Gone("This link has expired.")
    if link.max_downloads is not None and link.download_count >= link.max_downloads:
        raise Gone("This link has been used as many times as it allows.")
    return link


def share_link_opened(link: ShareLink) -> None:
    """Count one opening of the link's page (its analytics)."""
    ShareLinkOpen.objects.create(link=link)
    ShareLink.objects.filter(pk=link.pk).update(open_count=F("open_count") + 1)


def share_link_password_ok(link: ShareLink, password: str) -> bool:
    return not link.password_hash or check_password(password, link.password_hash)


def shared_assets(link: ShareLink) -> list[Asset]:
    """What the link shows now: its assets that are still approved, live and in rights."""
    return list(link.assets.filter(approved_and_usable()).select_related("approved_version", "collection")
                .order_by("title", "pk"))


@transaction.atomic
def share_download_count(*, link: ShareLink, assets: list[Asset], sent: str) -> None:
    """Use up one of the link's downloads (a file, or a zip of several) and record each asset sent.

    The count is a conditional UPDATE: however many people race for the last download, one gets it.
    """
    from distribution.downloads import record

    limit = Q(max_downloads__isnull=True) | Q(download_count__lt=F("max_downloads"))
    if not ShareLink.objects.filter(limit, pk=link.pk, revoked_at__isnull=True).update(
            download_count=F("download_count") + 1):
        raise Gone("This link has been used as many times as it allows.")
    channel = "zip" if len(assets) > 1 or sent.startswith("zip:") else "share"
    preset = sent.removeprefix("zip:")
    for asset in assets:
        assert asset.approved_version is not None
        record(asset=asset, version=asset.approved_version, sent=preset, preset=preset, channel=channel,
               share_link=link, recipient=link.recipient)
        webhook_events.share_link_downloaded(link_id=link.pk, asset=asset, rendition=preset)
