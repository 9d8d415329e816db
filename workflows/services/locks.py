"""Check-out / check-in: while someone holds an asset, nobody else uploads a new revision of it.

The lock lives here (workflows) and not in assets because it is a working
agreement between people, like reviews. Assets cannot import upward, so
`assets.services.version_create` asks the checks registered in its
`version_checks` list; `WorkflowsConfig.ready()` registers `refuse_if_locked`.
"""
from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Asset
from assets.services import VersionRefused
from workflows.models import AssetLock
from workflows.services.notifications import notify

# A working day: long enough to finish an edit, short enough that a forgotten lock does not block for long.
LOCK_HOURS = 8


class LockHeld(Exception):
    """Someone else has the asset checked out (the API answers 409)."""


def _active_lock(asset_id: int) -> AssetLock | None:
    return AssetLock.objects.select_related("holder").filter(asset_id=asset_id, expires_at__gt=timezone.now()).first()


def refuse_if_locked(asset: Asset, actor: User | None) -> None:
    """Registered with assets: refuse a new revision while another person holds the asset."""
    lock = _active_lock(asset.pk)
    if lock is not None and (actor is None or lock.holder_id != actor.pk):
        raise VersionRefused(f"{lock.holder.display_name} has checked this asset out since "
                             f"{lock.created_at:%Y-%m-%d %H:%M} (until {lock.expires_at:%Y-%m-%d %H:%M} UTC); "
                             "ask them to check it in.")


@transaction.atomic
def asset_check_out(*, asset: Asset, actor: User, note: str = "", client: str = "",
                    hours: float = LOCK_HOURS) -> AssetLock:
    """Check an asset out for `hours`; checking out again extends one's own lock.

    `client` names the desktop app when the check-out comes through the WebDAV drive.
    """
    authority.require(actor, "add_version", asset)
    Asset.objects.select_for_update().get(pk=asset.pk)  # one check-out at a time per asset
    expires = timezone.now() + timedelta(hours=hours)
    lock = AssetLock.objects.filter(asset=asset).select_related("holder").first()
    if lock is not None and lock.is_active and lock.holder_id != actor.pk:
        raise LockHeld(f"{lock.holder.display_name} has had this asset checked out since "
                       f"{lock.created_at:%Y-%m-%d %H:%M} UTC.")
    if lock is None:
        lock = AssetLock.objects.create(asset=asset, holder=actor, note=note, client=client, expires_at=expires)
    else:
        if lock.holder_id != actor.pk or not lock.is_active:
            lock.holder, lock.created_at = actor, timezone.now()
        lock.note, lock.client, lock.expires_at = note, client, expires
        lock.save(update_fields=["holder", "created_at", "note", "client", "expires_at"])
    audit.record("workflows.asset.checked_out", actor=actor, target=asset, expires_at=expires.isoformat(), note=note,
                 client=client)
    return lock


@transaction.atomic
def asset_check_in(*, asset: Asset, actor: User) -> None:
    """Give one's own check-out back."""
    lock = AssetLock.objects.select_for_update().filter(asset=asset).first()
    if lock is None:
        raise LockHeld("This asset is not checked out.")
    authority.require(actor, "check_in", lock)
    lock.delete()
    audit.record("workflows.asset.checked_in", actor=actor, target=asset)


@transaction.atomic
def lock_break(*, asset: Asset, actor: User) -> None:
    """An admin takes someone else's check-out away."""
    lock = AssetLock.objects.select_for_update().select_related("holder").filter(asset=asset).first()
    if lock is None:
        raise LockHeld("This asset is not checked out.")
    authority.require(actor, "break", lock)
    holder = lock.holder
    lock.delete()
    audit.record("workflows.asset.lock_broken", actor=actor, target=asset, holder=holder.display_name)
    if holder.pk != actor.pk:
        notify([holder], verb="workflows.asset.lock_broken", url=asset.get_absolute_url(),
               message=f"{actor.display_name} broke your check-out of “{asset.title}”.")
