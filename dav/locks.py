"""WebDAV locks in the database, and a lock on an asset as that asset's check-out.

WsgiDAV's lock manager decides conflicts from what its storage says; the storage here keeps the tokens in
DavLock rows, so every web process agrees. A LOCK on an asset also checks it out (workflows.services.locks,
the same check-out as the UI's, naming the app from the User-Agent), and UNLOCK checks it in. The check-out
is the authority: a token whose check-out was checked in or broken in the UI, or that expired, is gone.
"""
from __future__ import annotations

import contextlib
import time
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.utils import timezone
from wsgidav.dav_error import HTTP_FORBIDDEN, HTTP_LOCKED, DAVError
from wsgidav.lock_man.lock_manager import LockManager, generate_lock_token, normalize_lock_root
from wsgidav.util import is_child_uri

from assets.models import Asset
from dav import context
from dav.models import DavLock
from workflows.services import locks as checkout

# As long as a check-out from the UI: a working day. Clients refresh their locks well before.
MAX_SECONDS = int(checkout.LOCK_HOURS * 3600)
MEMO = "dav.locks"


def _active() -> Any:
    now = timezone.now()
    return DavLock.objects.filter(expires_at__gt=now).filter(
        Q(asset__isnull=True) | Q(asset__lock__holder=F("owner"), asset__lock__expires_at__gt=now))


def _as_dict(row: DavLock) -> dict[str, Any]:
    return {"root": row.path, "type": "write", "scope": row.scope, "depth": row.depth, "owner": row.owner_xml,
            "timeout": row.timeout, "expire": row.expires_at.timestamp(), "token": row.token,
            "principal": row.owner.username, "asset_id": row.asset_id}


class DbLockStorage:
    """WsgiDAV's lock storage interface (wsgidav.lock_man.lock_storage.LockStorageDict) over DavLock."""

    def __repr__(self) -> str:
        return "DbLockStorage"

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def cleanup(self) -> None:
        DavLock.objects.filter(expires_at__lte=timezone.now()).delete()

    def clear(self) -> None:
        DavLock.objects.all().delete()

    def _all(self) -> list[dict[str, Any]]:
        """Every active lock, read once per request: a listing asks each member for its locks."""
        ctx = context.current.get()
        if ctx is not None and MEMO in ctx.memo:
            locks: list[dict[str, Any]] = ctx.memo[MEMO]
            return locks
        locks = [_as_dict(row) for row in _active().select_related("owner")]
        if ctx is not None:
            ctx.memo[MEMO] = locks
        return locks

    def _changed(self) -> None:
        ctx = context.current.get()
        if ctx is not None:
            ctx.memo.pop(MEMO, None)

    def get(self, token: str) -> dict[str, Any] | None:
        return next((lock for lock in self._all() if lock["token"] == token), None)

    def create(self, path: str, lock: dict[str, Any]) -> dict[str, Any]:
        ctx = context.current.get()
        if ctx is None:
            raise DAVError(HTTP_FORBIDDEN, "Locks are taken by signed-in people only.")
        path = normalize_lock_root(path)
        owner = lock.get("owner") or ""
        owner = owner.decode("utf-8") if isinstance(owner, bytes) else str(owner)  # WsgiDAV hands XML as bytes
        timeout = float(lock.get("timeout") or -1)
        seconds = MAX_SECONDS if timeout < 0 or timeout > MAX_SECONDS else int(timeout)
        row = DavLock.objects.create(
            token=generate_lock_token(), path=path, owner=ctx.user, scope=lock["scope"], depth=lock["depth"],
            owner_xml=owner, timeout=seconds, expires_at=timezone.now() + timedelta(seconds=seconds))
        lock.update({"root": path, "timeout": seconds, "expire": time.time() + seconds, "token": row.token})
        self._changed()
        return lock

    def refresh(self, token: str, *, timeout: float) -> dict[str, Any]:
        seconds = MAX_SECONDS if timeout < 0 or timeout > MAX_SECONDS else int(timeout)
        DavLock.objects.filter(token=token).update(timeout=seconds,
                                                   expires_at=timezone.now() + timedelta(seconds=seconds))
        self._changed()
        lock = self.get(token)
        if lock is None:
            raise ValueError("No such lock.")
        return lock

    def delete(self, token: str) -> bool:
        deleted, _ = DavLock.objects.filter(token=token).delete()
        self._changed()
        return bool(deleted)

    def get_lock_list(self, path: str, *, include_root: bool, include_children: bool,
                      token_only: bool) -> list[Any]:
        path = normalize_lock_root(path)
        found = [lock for lock in self._all()
                 if (include_root and lock["root"] == path) or (include_children and is_child_uri(path, lock["root"]))]
        return [lock["token"] for lock in found] if token_only else found


class DamLockManager(LockManager):
    """WsgiDAV's lock manager, with a lock on an asset checking the asset out (and UNLOCK checking it in)."""

    provider: Any = None

    def acquire(self, *, url: str, lock_type: str, lock_scope: str, lock_depth: str, lock_owner: str,
                timeout: float, principal: str, token_list: list[str]) -> dict[str, Any]:
        ctx = context.current.get()
        asset = self.provider.asset_at(url, ctx) if ctx is not None and self.provider else None
        held_before = asset is not None and _holds(asset, ctx.user)  # type: ignore[union-attr]
        if asset is not None:
            _check_out(asset, ctx, timeout)
        try:
            lock = super().acquire(url=url, lock_type=lock_type, lock_scope=lock_scope, lock_depth=lock_depth,
                                   lock_owner=lock_owner, timeout=timeout, principal=principal,
                                   token_list=token_list)
        except BaseException:
            if asset is not None and not held_before:
                with contextlib.suppress(checkout.LockHeld, PermissionDenied):
                    checkout.asset_check_in(asset=asset, actor=ctx.user)  # type: ignore[union-attr]
            raise
        if asset is not None:
            DavLock.objects.filter(token=lock["token"]).update(asset=asset)
        return lock

    def refresh(self, token: str, *, timeout: float | None = None) -> dict[str, Any]:
        ctx = context.current.get()
        lock = self.storage.get(token)
        if lock is not None and ctx is not None and lock["principal"] != ctx.user.username:
            # WsgiDAV refreshes any token the If header names; only its owner may.
            raise DAVError(HTTP_FORBIDDEN, "This lock belongs to someone else.")
        if lock is not None and lock.get("asset_id") and ctx is not None:
            asset = Asset.objects.filter(pk=lock["asset_id"]).first()
            if asset is not None:
                _check_out(asset, ctx, timeout if timeout is not None else MAX_SECONDS)
        return super().refresh(token, timeout=timeout if timeout is not None else MAX_SECONDS)

    def release(self, token: str) -> None:
        ctx = context.current.get()
        lock = self.storage.get(token)
        super().release(token)
        if lock is None or not lock.get("asset_id") or ctx is None:
            return
        others = [other for other in self.storage._all() if other.get("asset_id") == lock["asset_id"]]
        asset = Asset.objects.filter(pk=lock["asset_id"]).first()
        if asset is not None and not others:
            with contextlib.suppress(checkout.LockHeld, PermissionDenied):
                checkout.asset_check_in(asset=asset, actor=ctx.user)


def _holds(asset: Asset, user: Any) -> bool:
    return asset_lock_holder(asset) == user.pk


def asset_lock_holder(asset: Asset) -> int | None:
    from workflows.models import AssetLock

    lock = AssetLock.objects.filter(asset=asset, expires_at__gt=timezone.now()).only("holder_id").first()
    return lock.holder_id if lock else None


def _check_out(asset: Asset, ctx: Any, timeout: float) -> None:
    seconds = MAX_SECONDS if timeout is None or timeout < 0 or timeout > MAX_SECONDS else timeout
    try:
        checkout.asset_check_out(asset=asset, actor=ctx.user, client=ctx.client, hours=seconds / 3600)
    except checkout.LockHeld as exc:
        raise DAVError(HTTP_LOCKED, str(exc)) from None
    except PermissionDenied:
        raise DAVError(HTTP_FORBIDDEN, "You may not check this asset out: you may not add revisions to it.") from None
