"""Moving an asset's originals to the archive tier and back (docs/tier.md).

Per version: copy the original to the other tier under the same key, read the copy back and compare
its size and sha256 with the version's record, switch `AssetVersion.storage_tier` in a transaction,
then delete the source. A crash between any two steps leaves the record naming a tier that holds the
whole file; running the job again picks up where it stopped (a verified copy is not made twice, a
copy left behind after the switch is removed). A full or unwritable target fails the move with the
reason in a sentence: the records are untouched, the partial copy is removed, and a retry is offered.

One job at a time works on an asset: it claims the asset's TierMove with a token (a lease as long as
the job's timeout). Archiving or restoring while a job runs only changes the move's `target`; the
running job follows it, so two jobs never copy one file in opposite directions.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import logging
import uuid
from datetime import timedelta

from django.core.files import File
from django.core.files.storage import Storage
from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from archive.models import TierMove
from assets.models import Asset, AssetVersion, StorageTier
from assets.originals import TierNotConfigured, archive_tier_configured, tier_storage
from dam.errors import StateConflict
from workflows.services.notifications import notify

logger = logging.getLogger(__name__)

TASK = "archive.tier.tasks.tier_move_task"
# A worker is killed after TASK_TIMEOUT; a claim older than that belongs to a dead job.
TASK_TIMEOUT = 3600
LEASE = timedelta(seconds=TASK_TIMEOUT + 60)
# A queued move whose job has not started after this long lost its job (the resume schedule queues it again).
LOST_AFTER = timedelta(minutes=10)
BLOCK = 1024 * 1024

PLACE: dict[str, str] = {StorageTier.PRIMARY: "the primary storage", StorageTier.ARCHIVE: "the archive tier"}


class MoveFailed(Exception):
    """A move step found something wrong; the message is a sentence fragment for people."""


class Superseded(Exception):
    """The job lost its claim (taken over after its lease ran out): it stops without touching anything."""


# Steps a test may interrupt to play a crash (tests/archive/test_tier_moves.py).
def _step(name: str, version: AssetVersion) -> None:
    """Called after each step of a version's move."""


def originals_follow(*, asset: Asset, actor: User | None) -> TierMove | None:
    """After archiving or restoring: queue the move that puts the originals where the asset's state wants
    them (archived and a tier configured: the archive tier; else the primary storage). None: nothing to move."""
    if asset.archived_at is not None:
        return tier_queue(asset=asset, target=StorageTier.ARCHIVE, actor=actor) if archive_tier_configured() else None
    move = TierMove.objects.select_for_update().filter(asset=asset).first()
    running = move is not None and move.state == TierMove.State.MOVING
    if running or asset.versions.filter(storage_tier=StorageTier.ARCHIVE).exists():
        return tier_queue(asset=asset, target=StorageTier.PRIMARY, actor=actor)
    if move is not None and (move.state, move.target) != (TierMove.State.DONE, StorageTier.PRIMARY):
        # Nothing ever left (the move failed or had not started): no job, no failure shown any more.
        move.state, move.target, move.reason, move.finished_at = (TierMove.State.DONE, StorageTier.PRIMARY, "",
                                                                  timezone.now())
        move.save(update_fields=["state", "target", "reason", "finished_at"])
    return None


def tier_queue(*, asset: Asset, target: str, actor: User | None) -> TierMove:
    """Ask for the asset's originals to be in `target`; a job moves them after the transaction commits.

    Called by archive.services when an asset is archived (with a tier configured) or restored."""
    with transaction.atomic():
        now = timezone.now()
        move, created = TierMove.objects.select_for_update().get_or_create(
            asset=asset, defaults={"target": target, "queued_at": now, "requested_by": actor})
        running = move.state == TierMove.State.MOVING and not _lease_over(move, now)
        move.target = target
        move.requested_by = actor
        move.reason = ""
        if not running:  # a running job follows the new target itself
            move.state, move.queued_at, move.finished_at, move.attempts = TierMove.State.QUEUED, now, None, 0
        move.save()
        if not running:
            transaction.on_commit(lambda: _enqueue(asset.pk))
    return move


def tier_move_retry(*, asset: Asset, actor: User | None) -> TierMove:
    """Try a failed move again."""
    if actor is not None:
        authority.require(actor, "archive", asset)
    with transaction.atomic():
        move = TierMove.objects.select_for_update().filter(asset=asset).first()
        if move is None or move.state != TierMove.State.FAILED:
            raise StateConflict("Nothing to retry: the originals of this asset are not waiting after a failed move.")
        audit.record("archive.tier.retried", actor=actor, target=asset, to=move.target, reason=move.reason)
        move.state, move.queued_at, move.finished_at, move.reason = TierMove.State.QUEUED, timezone.now(), None, ""
        move.save(update_fields=["state", "queued_at", "finished_at", "reason"])
        transaction.on_commit(lambda: _enqueue(asset.pk))
    return move


def tier_moves_retry_failed(*, actor: User | None) -> int:
    """Try every failed move again (once the disk has room or the bucket is back): how many were queued."""
    assets = Asset.objects.filter(tier_move__state=TierMove.State.FAILED)
    count = 0
    for asset in assets:
        try:
            tier_move_retry(asset=asset, actor=actor)
        except StateConflict:
            continue  # retried by someone else meanwhile
        count += 1
    return count


def tier_moves_resume() -> int:
    """Queue again the moves a worker lost: claimed by a job that died, or queued and never started."""
    now = timezone.now()
    stale = TierMove.objects.filter(Q(state=TierMove.State.MOVING, started_at__lt=now - LEASE)
                                    | Q(state=TierMove.State.QUEUED, queued_at__lt=now - LOST_AFTER))
    asset_ids = list(stale.values_list("asset_id", flat=True)[:500])
    # A queued move counts as lost again only LOST_AFTER from now: a long queue is not flooded with copies
    # of the same job every time the schedule runs (a copy that does run finds the move claimed or done).
    TierMove.objects.filter(asset_id__in=asset_ids, state=TierMove.State.QUEUED).update(queued_at=now)
    for asset_id in asset_ids:
        transaction.on_commit(lambda asset_id=asset_id: _enqueue(asset_id))  # type: ignore[misc]
    return len(asset_ids)


def tier_move(*, asset_id: int) -> TierMove | None:
    """The job: move every original of the asset to the move's target. None when another job holds it
    or there is nothing to do (a second run of a finished move does nothing)."""
    token = _claim(asset_id)
    if token is None:
        return None
    version: AssetVersion | None = None
    target = ""
    try:
        while True:
            with transaction.atomic():
                move = TierMove.objects.select_for_update().get(asset_id=asset_id)
                if move.holder != token:
                    raise Superseded
                target = move.target
                version = (AssetVersion.objects.filter(asset_id=asset_id).exclude(storage_tier=target)
                           .order_by("number").first())
                if version is None:
                    return _finish(move, target)
            _move_version(version, target, token)
    except Superseded:
        logger.warning("the tier move of asset %s was taken over by another job", asset_id)
        return None
    except DatabaseError:
        # The database, not the storage, failed (SQLite busy past its timeout, a dropped connection): every
        # original is where its record says, so the move is handed back and queued again rather than left
        # "moving" until its lease ends.
        _hand_back(asset_id, token)
        raise
    except MOVE_ERRORS as exc:
        reason = describe(exc, target)
        if version is not None:
            _discard_copy(version, target)
        return _fail(asset_id, token, target, reason)


def describe(exc: BaseException, target: str) -> str:
    """Why a move failed, as a sentence for the asset page and the archive list."""
    place = PLACE.get(target, "the other storage")
    if isinstance(exc, (MoveFailed, TierNotConfigured)):
        text = str(exc)
    elif isinstance(exc, FileNotFoundError):
        text = f"an original is missing from {PLACE[_other(target)]}"
    elif isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        text = f"{place} is full (no space left for the originals)"
    elif isinstance(exc, PermissionError) or (isinstance(exc, OSError) and exc.errno in (errno.EACCES, errno.EROFS)):
        text = f"{place} cannot be written (permission denied)"
    elif isinstance(exc, OSError):
        text = f"{place} could not be written ({exc.strerror or exc})"
    else:
        code = getattr(exc, "response", {}).get("Error", {}).get("Code") if hasattr(exc, "response") else None
        known = {"NoSuchBucket": f"the bucket of {place} does not exist",
                 "AccessDenied": f"the bucket of {place} refused access to the DAM's credentials",
                 "QuotaExceeded": f"{place} is full (its bucket's quota is reached)",
                 "InvalidStorageClass": f"the bucket of {place} does not offer the configured storage class"}
        text = (f"{known.get(code, f'the bucket of {place} refused it')} ({code})" if code
                else f"{place} could not be reached ({exc})")
    text = text[:1].upper() + text[1:]
    return (text if text.endswith(".") else text + ".")[:500]


# --- the steps ---------------------------------------------------------------------------------------

def _move_version(version: AssetVersion, target: str, token: str) -> None:
    source, dest = tier_storage(version.storage_tier), tier_storage(target)
    name = version.file.name
    if not _holds(dest, name, version):  # a copy verified before a crash is not made again
        if dest.exists(name):
            dest.delete(name)  # a partial copy from an interrupted attempt
        with source.open(name, "rb") as fh:
            saved = dest.save(name, File(fh))
        if saved != name:
            dest.delete(saved)
            raise MoveFailed(f"{PLACE[target]} stored an original under another name ({saved})")
        _step("copied", version)
        if not _holds(dest, name, version):
            dest.delete(name)
            if not _holds(source, name, version):
                raise MoveFailed(f"the original of v{version.number} no longer matches its recorded checksum "
                                 "(it may be damaged: run fixity_check); it was left where it was")
            raise MoveFailed(f"the copy read back from {PLACE[target]} did not match the original "
                             f"(size or sha256) for v{version.number}")
    _step("verified", version)
    with transaction.atomic():
        move = TierMove.objects.select_for_update().get(asset_id=version.asset_id)
        locked = AssetVersion.objects.select_for_update().get(pk=version.pk)
        if move.holder != token:
            raise Superseded
        if move.target != target or locked.storage_tier == target:
            return  # the target changed under us: the loop looks again; the copy stays as a later resume may use
        locked.storage_tier, locked.storage_tier_since = target, timezone.now()
        locked.save(update_fields=["storage_tier", "storage_tier_since"])
        move.started_at = timezone.now()  # the lease runs from the last step done
        move.save(update_fields=["started_at"])
    _step("switched", version)
    source.delete(name)
    _step("deleted", version)


def _holds(storage: Storage, name: str, version: AssetVersion) -> bool:
    """Whether `storage` has the whole original: its size and sha256 read back match the version's record."""
    if not storage.exists(name) or storage.size(name) != version.size:
        return False
    digest = hashlib.sha256()
    with storage.open(name, "rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
    return digest.hexdigest() == version.sha256


def _claim(asset_id: int) -> str | None:
    now = timezone.now()
    token = uuid.uuid4().hex
    claimable = Q(state=TierMove.State.QUEUED) | Q(state=TierMove.State.MOVING, started_at__lt=now - LEASE)
    with transaction.atomic():
        move = TierMove.objects.select_for_update().filter(claimable, asset_id=asset_id).first()
        if move is None:
            return None
        move.state, move.holder, move.started_at = TierMove.State.MOVING, token, now
        move.attempts += 1
        move.save(update_fields=["state", "holder", "started_at", "attempts"])
    return token


def _hand_back(asset_id: int, token: str) -> None:
    try:
        with transaction.atomic():
            if TierMove.objects.filter(asset_id=asset_id, holder=token).update(state=TierMove.State.QUEUED, holder=""):
                transaction.on_commit(lambda: _enqueue(asset_id))
    except DatabaseError:
        logger.warning("the tier move of asset %s could not be handed back; the resume schedule will", asset_id)


def _finish(move: TierMove, target: str) -> TierMove:
    """Every original is in the target: remove what interrupted moves left in the other tier, and say so."""
    _remove_leftovers(move.asset_id, target)
    move.state, move.holder, move.finished_at, move.reason = TierMove.State.DONE, "", timezone.now(), ""
    move.save(update_fields=["state", "holder", "finished_at", "reason"])
    audit.record("archive.tier.moved", actor=None, target=move.asset, to=target,
                 versions=AssetVersion.objects.filter(asset_id=move.asset_id).count())
    return move


def _fail(asset_id: int, token: str, target: str, reason: str) -> TierMove | None:
    with transaction.atomic():
        move = (TierMove.objects.select_for_update(of=("self",)).select_related("asset", "requested_by")
                .get(asset_id=asset_id))
        if move.holder != token:
            return None
        move.state, move.holder, move.reason, move.finished_at = TierMove.State.FAILED, "", reason, timezone.now()
        move.save(update_fields=["state", "holder", "reason", "finished_at"])
        audit.record("archive.tier.move_failed", actor=None, target=move.asset, to=target, reason=reason)
        # The person who archived or restored hears of it (in the DAM and by e-mail), with the way to retry.
        where = "to the archive tier" if target == StorageTier.ARCHIVE else "back from the archive tier"
        notify([move.requested_by] if move.requested_by else [], verb="archive.tier.move_failed",
               message=f"The originals of “{move.asset.title}” could not be moved {where}: "
                       f"{reason[:1].lower()}{reason[1:]} "
                       "Retry from the asset page.", url=move.asset.get_absolute_url())
    logger.warning("moving the originals of asset %s to %s failed: %s", asset_id, target, reason)
    return move


def _remove_leftovers(asset_id: int, target: str) -> None:
    """Copies in the other tier of originals whose record names the target (a crash after the switch)."""
    other = _other(target)
    if other == StorageTier.ARCHIVE and not archive_tier_configured():
        return
    storage = tier_storage(other)
    for name in AssetVersion.objects.filter(asset_id=asset_id, storage_tier=target).values_list("file", flat=True):
        try:
            if storage.exists(name):
                storage.delete(name)
        except MOVE_ERRORS as exc:  # the originals are safe where their records say; this only costs space
            logger.warning("a copy of %s left in %s could not be removed: %s", name, other, exc)


def _discard_copy(version: AssetVersion, target: str) -> None:
    """After a failure: no partial copy stays in the target of an original whose record names the source."""
    with contextlib.suppress(Exception):  # best effort: the storage sweep removes what this cannot
        if AssetVersion.objects.filter(pk=version.pk).exclude(storage_tier=target).exists():
            dest = tier_storage(target)
            if dest.exists(version.file.name):
                dest.delete(version.file.name)


def _lease_over(move: TierMove, now: object) -> bool:
    return move.started_at is None or move.started_at < now - LEASE  # type: ignore[operator]


def _other(tier: str) -> str:
    return StorageTier.PRIMARY if tier == StorageTier.ARCHIVE else StorageTier.ARCHIVE


def _s3_errors() -> tuple[type[Exception], ...]:
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:  # pragma: no cover - django-storages[s3] brings it
        return ()
    return (BotoCoreError, ClientError)


S3_ERRORS = _s3_errors()
# What a move step may meet that fails the move (with the reason shown) rather than crash the job.
MOVE_ERRORS: tuple[type[Exception], ...] = (OSError, MoveFailed, TierNotConfigured, *S3_ERRORS)


def _enqueue(asset_id: int) -> None:
    with transaction.atomic():  # see distribution.webhooks.delivery.queue
        async_task(TASK, asset_id, task_name=f"tier-move-{asset_id}-{uuid.uuid4().hex[:8]}", group="archive-tier",
                   timeout=TASK_TIMEOUT)

