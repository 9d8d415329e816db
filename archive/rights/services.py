"""Rights actions: renewing an expiry, keeping release documents, setting a collection's expiry action, and
the daily job that reminds people before an expiry and applies the collection's choice when it comes."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import IO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from archive import services as archive_services
from archive.models import ReleaseDocument, RightsNotice
from archive.rights import selectors
from archive.rights.permissions import may_keep_rights
from assets.expiry import expiry_choice
from assets.models import Asset, Collection, LicenceType, RightsOnExpiry
from dam.errors import StateConflict
from ingest.files import FileRejected, inspect
from workflows.services.notifications import notify

logger = logging.getLogger(__name__)

# Signed releases arrive as scans or PDFs; nothing else is kept (the type is read from the bytes).
RELEASE_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG", "image/tiff": "TIFF"}
RELEASE_MAX_BYTES = 50 * 1024 * 1024


class RightsRefused(Exception):
    """A rights action that cannot be done; the message says why in a sentence."""


@transaction.atomic
def rights_renew(*, asset: Asset, actor: User | None, expires_at: datetime | None) -> Asset:
    """Give an asset a new rights expiry (None: never expires). Its reminders start afresh for the new date."""
    if actor is not None and not may_keep_rights(actor, asset):
        raise PermissionDenied("You may not renew this asset's rights.")
    now = timezone.now()
    if expires_at is not None and expires_at <= now:
        raise ValidationError({"expires_at": "The new expiry must be in the future."})
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    if locked.rights_start and expires_at and expires_at <= locked.rights_start:
        raise ValidationError({"expires_at": "The new expiry must come after the rights start."})
    if locked.embargo_until and expires_at and expires_at <= locked.embargo_until:
        raise ValidationError({"expires_at": "The new expiry must come after the embargo ends."})
    old = locked.rights_expire_at
    locked.rights_expire_at = expires_at
    locked.revision += 1
    locked.updated_by = actor
    locked.save(update_fields=["rights_expire_at", "revision", "updated_by", "updated_at"])
    # The asset's own edit event too, so search, usages and webhooks hear of the change as for any edit.
    audit.record("assets.asset.updated", actor=actor, target=locked, changes={"rights_expire_at": [
        old.isoformat() if old else None, expires_at.isoformat() if expires_at else None]})
    audit.record("archive.rights.renewed", actor=actor, target=locked,
                 expires_at=expires_at.isoformat() if expires_at else None,
                 previous=old.isoformat() if old else None)
    return locked


@transaction.atomic
def collection_set_expiry_action(*, collection: Collection, actor: User | None, action: str) -> Collection:
    """Choose what happens to a collection's assets when their rights expire."""
    if actor is not None:
        authority.require(actor, "manage", collection)
    if action not in RightsOnExpiry.values:
        raise ValidationError({"action": "Choose inherit (as the parent folder), hide, archive or notify."})
    locked = Collection.objects.select_for_update().get(pk=collection.pk)
    if locked.rights_on_expiry != action:
        old, locked.rights_on_expiry = locked.rights_on_expiry, action
        locked.save(update_fields=["rights_on_expiry"])
        audit.record("archive.rights.expiry_action_set", actor=actor, target=locked, action=action, previous=old)
    return locked


@transaction.atomic
def licence_type_save(*, actor: User | None, name: str, url: str = "", description: str = "", active: bool = True,
                      licence: LicenceType | None = None) -> LicenceType:
    """Add a licence to the controlled list, or edit one. A renamed licence is renamed on its assets too."""
    if actor is not None:
        authority.require(actor, "create" if licence is None else "edit", licence or LicenceType)
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the licence a name."})
    clash = LicenceType.objects.filter(name__iexact=name)
    if licence is not None:
        clash = clash.exclude(pk=licence.pk)
    if clash.exists():
        raise ValidationError({"name": f"“{clash.first()}” is already in the list."})
    # Read from the database: a ModelForm has already written the new values onto the instance it was given.
    old_name = LicenceType.objects.filter(pk=licence.pk).values_list("name", flat=True).first() if licence else None
    licence = licence or LicenceType(position=LicenceType.objects.count())
    licence.name, licence.url, licence.description, licence.active = name, url, description, active
    licence.save()
    renamed = 0
    if old_name and old_name != name:
        renamed = Asset.objects.filter(licence=old_name).update(licence=name)
    audit.record("archive.rights.licence_saved", actor=actor, target=licence, name=name, active=active,
                 renamed_on=renamed)
    return licence


# --- release documents ----------------------------------------------------------------------------

def release_attach(*, asset: Asset, actor: User | None, kind: str, fileobj: IO[bytes],
                   filename: str) -> ReleaseDocument:
    """Keep a signed model or property release with the asset; the asset then shows that release on file."""
    if actor is not None:
        authority.require(actor, "edit", asset)
    if kind not in ReleaseDocument.Kind.values:
        raise ValidationError({"kind": "Choose a model release or a property release."})
    if getattr(fileobj, "size", 0) and fileobj.size > RELEASE_MAX_BYTES:  # type: ignore[attr-defined]
        raise ValidationError({"file": "A release document may be at most 50 MB."})
    try:
        facts = inspect(fileobj, filename)
    except FileRejected as exc:
        raise ValidationError({"file": str(exc)}) from None
    if facts.mime_type not in RELEASE_TYPES:
        raise ValidationError({"file": "A release document must be a PDF or a scan (JPEG, PNG or TIFF); "
                                       f"this file is {facts.mime_type}."})
    if facts.size > RELEASE_MAX_BYTES:
        raise ValidationError({"file": "A release document may be at most 50 MB."})
    document = ReleaseDocument(asset=asset, kind=kind, original_filename=filename[:255] or "release",
                               mime_type=facts.mime_type, size=facts.size, uploaded_by=actor)
    fileobj.seek(0)
    document.file.save("release", File(fileobj), save=False)
    try:
        with transaction.atomic():
            document.save()
            _sync_release_flags(asset, actor=actor)
            audit.record("archive.rights.release_attached", actor=actor, target=asset, kind=kind,
                         document=document.pk)
    except Exception:
        # Nothing half-made: the stored file goes when its row could not be written.
        default_storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def release_remove(*, document: ReleaseDocument, actor: User | None) -> None:
    """Remove a release document; the file is deleted once the removal has committed."""
    if actor is not None:
        authority.require(actor, "remove", document)
    name, asset, kind = document.file.name, document.asset, document.kind
    document.delete()
    _sync_release_flags(asset, actor=actor)
    audit.record("archive.rights.release_removed", actor=actor, target=asset, kind=kind)
    transaction.on_commit(lambda: default_storage.delete(name))


def _sync_release_flags(asset: Asset, *, actor: User | None) -> None:
    kinds = set(ReleaseDocument.objects.filter(asset=asset).values_list("kind", flat=True))
    locked = Asset.objects.select_for_update().get(pk=asset.pk)
    locked.model_release = ReleaseDocument.Kind.MODEL in kinds
    locked.property_release = ReleaseDocument.Kind.PROPERTY in kinds
    locked.save(update_fields=["model_release", "property_release", "updated_at"])


# --- the daily job ----------------------------------------------------------------------------------

def rights_daily(*, now: datetime | None = None) -> dict[str, int]:
    """Remind once per threshold before each expiry, then apply each expired asset's collection choice once.

    Each asset is handled in its own transaction, claimed by a unique RightsNotice row first, so a second
    run (or two at once) sends nothing twice, and one failing asset does not stop the others.
    """
    now = now or timezone.now()
    counts = {"reminders": 0, "expired": 0, "archived": 0}
    days = sorted(settings.DAM_RIGHTS_REMINDER_DAYS)
    for asset, threshold in selectors.reminders_due(now, days):
        if _remind(asset, threshold, now):
            counts["reminders"] += 1
    for asset in selectors.expiries_due(now):
        action = _expire(asset, now)
        if action is not None:
            counts["expired"] += 1
            counts["archived"] += action == RightsOnExpiry.ARCHIVE
    return counts


def _claim(asset: Asset, kind: str, days: int, action: str, now: datetime) -> bool:
    assert asset.rights_expire_at is not None
    try:
        with transaction.atomic():
            RightsNotice.objects.create(asset=asset, kind=kind, days=days, expires_at=asset.rights_expire_at,
                                        action=action, sent_at=now)
    except IntegrityError:
        return False  # sent already (by an earlier run, or one running beside this one)
    return True


def _remind(asset: Asset, threshold: int, now: datetime) -> bool:
    with transaction.atomic():
        if not _claim(asset, RightsNotice.Kind.REMINDER, threshold, "", now):
            return False
        expires = timezone.localtime(asset.rights_expire_at)
        left = max((expires.date() - timezone.localtime(now).date()).days, 0)
        when = "today" if left == 0 else "tomorrow" if left == 1 else f"in {left} days"
        notify(selectors.rights_people(asset), verb="archive.rights.expiring",
               message=f"The usage rights of “{asset.title}” expire {when}, on {expires:%Y-%m-%d}. "
                       f"Renew them or let the asset {_consequence(asset)}.",
               url=selectors.report_url())
        audit.record("archive.rights.expiring", actor=None, target=asset, days=threshold,
                     expires_at=expires.isoformat())
    return True


def _consequence(asset: Asset) -> str:
    consequences: dict[str, str] = {RightsOnExpiry.ARCHIVE: "be archived",
                                    RightsOnExpiry.NOTIFY: "expire (its collection keeps it in use)"}
    return consequences.get(expiry_choice(asset.collection).action, "be hidden")


def _expire(asset: Asset, now: datetime) -> str | None:
    action = expiry_choice(asset.collection).action  # the folder's own choice or the one it inherits
    try:
        with transaction.atomic():
            if not _claim(asset, RightsNotice.Kind.EXPIRED, 0, action, now):
                return None
            done = "It is now hidden from viewers, share links, delivery URLs and the API until renewed."
            if action == RightsOnExpiry.ARCHIVE:
                try:
                    archive_services.asset_archive(asset=asset, actor=None, reason="Its usage rights expired.")
                    done = "It was moved to the archive, as its collection asks."
                except StateConflict:
                    done = "It was already archived."
            elif action == RightsOnExpiry.NOTIFY:
                done = "Its collection asks for this notice only: it stays in use. Renew its rights or archive it."
            notify(selectors.rights_people(asset), verb="archive.rights.expired",
                   message=f"The usage rights of “{asset.title}” expired. {done}",
                   url=asset.get_absolute_url())
            audit.record("archive.rights.expired", actor=None, target=asset, action=action,
                         expires_at=asset.rights_expire_at.isoformat() if asset.rights_expire_at else None)
    except Exception:
        logger.exception("Rights expiry of asset %s could not be applied", asset.pk)
        return None
    return action
