"""Exporting assets as BagIt packages (a background job, then a download) and restoring them."""
from __future__ import annotations

import contextlib
import logging
import tempfile
import uuid
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.db import DatabaseError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from archive.bags import export, restore, selectors
from archive.bags.recreate import Recreator
from archive.models import BagExport
from assets.models import Asset, Collection
from assets.services import queue_renditions, writes_batched
from workflows.services.notifications import notify

logger = logging.getLogger(__name__)

# How long a finished bag stays to download; then the hourly clean-up removes its file.
KEEP_FOR = timedelta(days=7)
TASK = "archive.bags.tasks.bag_export_task"
# A collection of many large originals takes a while: the job may run an hour, and is tried twice at most.
TASK_TIMEOUT = 3600
FOLDER = "bags/"
# A job running longer than its timeout was killed with its worker: it is failed, or may be run again.
STALE = timedelta(seconds=TASK_TIMEOUT + 60)


def _describe(asset: Asset | None, collection: Collection | None) -> tuple[str, str]:
    """(words for people, identifier for bag-info)."""
    if asset is not None:
        return f"“{asset.title}”", f"urn:uuid:{asset.uid}"
    assert collection is not None
    return f"the collection “{collection.name}”", f"collection:{collection.pk}:{collection.name}"


def bag_export_request(*, actor: User, asset: Asset | None = None, collection: Collection | None = None) -> BagExport:
    """Ask for a bag of an asset or a collection; the job runs in the background and holds only what the
    requester may see when it runs."""
    if (asset is None) == (collection is None):
        raise ValueError("Give an asset or a collection.")
    authority.require(actor, "create", BagExport)
    authority.require(actor, "view", asset or collection)
    subject, _ = _describe(asset, collection)
    with transaction.atomic():
        job = BagExport.objects.create(requested_by=actor, asset=asset, collection=collection, subject=subject[:300])
        audit.record("archive.bag.requested", actor=actor, target=job, subject=subject,
                     asset=str(asset.uid) if asset else None, collection=collection.pk if collection else None)
        transaction.on_commit(partial(async_task, TASK, job.pk, task_name=f"bag-export-{job.pk}", group="bags",
                                      timeout=TASK_TIMEOUT))
    return job


def _claim(export_id: int) -> BagExport | None:
    with transaction.atomic():
        # of=self: PostgreSQL locks no row of the nullable asset and collection joined in.
        job = (BagExport.objects.select_for_update(of=("self",)).select_related("requested_by", "asset", "collection")
               .filter(pk=export_id).first())
        if job is None or job.state not in (BagExport.State.QUEUED, BagExport.State.RUNNING):
            return None  # done already (a job run twice) or gone
        if job.state == BagExport.State.RUNNING and job.started_at and job.started_at > timezone.now() - STALE:
            # The broker hands a long job out again after its retry delay (Q_CLUSTER retry, shorter than this
            # job's timeout): the first run is still at work, so this one stands down.
            return None
        job.state, job.started_at, job.done, job.error = BagExport.State.RUNNING, timezone.now(), 0, ""
        job.save(update_fields=["state", "started_at", "done", "error"])
    return job


def bag_export_run(*, export_id: int) -> BagExport | None:
    """The job: package what the requester may see, store the zip, tell them. Safe to run twice."""
    job = _claim(export_id)
    if job is None:
        return None
    user = job.requested_by
    if job.asset is None and job.collection is None:
        return _finish_failed(job, "The asset or collection was removed before the export ran.")
    assets = selectors.assets_for_export(user, asset=job.asset, collection=job.collection)
    total = assets.count()
    BagExport.objects.filter(pk=job.pk).update(total=total)
    if total == 0:
        return _finish_failed(job, "There is nothing in it that you may see, so no bag was made.")
    subject, identifier = _describe(job.asset, job.collection)
    key = ""
    try:
        with tempfile.TemporaryDirectory(prefix="dam-bag-") as tmp:
            def progress(done: int) -> None:  # after each chunk of assets (export.CHUNK)
                BagExport.objects.filter(pk=job.pk).update(done=done)

            zipped = Path(tmp) / "bag.zip"
            with open(zipped, "wb") as out:
                export.write_bag(out, f"bag-{job.pk}", assets.iterator(chunk_size=200), user=user,
                                 identifier=identifier, description=f"{subject}, exported for {user.get_username()}",
                                 progress=progress)
                size = out.tell()
            with open(zipped, "rb") as fh:
                key = default_storage.save(f"{FOLDER}{uuid.uuid4().hex}.zip", File(fh))
    except export.MissingOriginal as exc:
        return _finish_failed(job, f"The bag could not be made: {exc}.")
    except Exception as exc:
        logger.exception("BagIt export %s failed", job.pk)
        if key:
            with contextlib.suppress(Exception):
                default_storage.delete(key)
        # The details go to the log, not to the person: they may name paths and hosts.
        return _finish_failed(job, f"The bag could not be made because of an error on the server "
                                   f"({type(exc).__name__}); it was logged for the administrators.")
    try:
        with transaction.atomic():
            now = timezone.now()
            BagExport.objects.filter(pk=job.pk).update(
                state=BagExport.State.READY, done=total, total=total, file=key, size=size, finished_at=now,
                expires_at=now + KEEP_FOR)
            job.refresh_from_db()
            audit.record("archive.bag.exported", actor=user, target=job, subject=subject, assets=total, size=size)
            notify([user], verb="archive.bag.ready", message=f"Your BagIt package of {subject} is ready to download.",
                   url=job.get_absolute_url())
    except BaseException:
        default_storage.delete(key)
        raise
    return job


def _finish_failed(job: BagExport, reason: str) -> BagExport:
    with transaction.atomic():
        BagExport.objects.filter(pk=job.pk).update(state=BagExport.State.FAILED, error=reason[:2000],
                                                   finished_at=timezone.now())
        job.refresh_from_db()
        audit.record("archive.bag.failed", actor=job.requested_by, target=job, reason=reason[:500])
        notify([job.requested_by], verb="archive.bag.failed",
               message=f"Your BagIt package of {job.subject} could not be made."[:300], url=job.get_absolute_url())
    return job


def bag_exports_expire(*, now: Any = None) -> int:
    """Remove the files of finished bags past their expiry, and fail the jobs whose worker was killed
    (hourly schedule); returns how many bags expired."""
    now = now or timezone.now()
    for job in BagExport.objects.filter(state=BagExport.State.RUNNING, started_at__lt=now - STALE).select_related(
            "requested_by"):
        _finish_failed(job, "The job stopped before it finished (its worker was stopped or ran out of time). "
                            "Ask for the export again; a large collection may be exported in parts.")
    expired = 0
    for job in BagExport.objects.filter(state=BagExport.State.READY, expires_at__lte=now):
        with transaction.atomic():
            BagExport.objects.filter(pk=job.pk).update(state=BagExport.State.EXPIRED, file="")
            audit.record("archive.bag.expired", actor=None, target=job)
            transaction.on_commit(partial(default_storage.delete, job.file))
        expired += 1
    return expired


def bag_export_to_file(target: Path, *, asset: Asset | None = None, collection: Collection | None = None,
                       actor: User | None = None) -> dict[str, Any]:
    """Write a zipped bag to a path (the export_bag command): as the system, everything with its history."""
    assets = selectors.assets_for_export(actor, asset=asset, collection=collection)
    subject, identifier = _describe(asset, collection)
    part = target.with_name(f".{target.name}.part")  # the zip appears under its name only when complete
    try:
        with open(part, "wb") as out:
            info = export.write_bag(out, target.stem, assets.iterator(chunk_size=200), user=actor,
                                    identifier=identifier, description=f"{subject}, exported by "
                                    f"{actor.get_username() if actor else 'the system'}")
            size = out.tell()
        part.replace(target)
    finally:
        part.unlink(missing_ok=True)
    audit.record("archive.bag.exported", actor=actor, target=asset or collection, subject=subject,
                 assets=int(info.get("DAM-Asset-Count", 0)), size=size, path=str(target))
    return {"assets": int(info.get("DAM-Asset-Count", 0)), "versions": int(info.get("DAM-Version-Count", 0)),
            "size": size, "oxum": info.get("Payload-Oxum")}


def bag_restore(*, zip_path: Path, actor: User | None, replace: bool = False) -> list[Asset]:
    """Validate a zipped bag fully, then recreate its assets (same uids) with their versions, terms, rights
    and history, in one transaction. Raises BagRefused, with nothing imported and no file left, when the bag
    is invalid or names a term or (without `replace`) a uid that is in the way."""
    if actor is not None:
        authority.require(actor, authority.Cap.ADMINISTER)
    with tempfile.TemporaryDirectory(prefix="dam-restore-") as tmp:
        root = restore.unpack(zip_path, Path(tmp))
        bag = restore.validate(root)
        read_bag = restore.read(root, bag)
        taken = restore.existing_uids(read_bag)
        if taken and not replace:
            many = len(taken) > 1
            raise restore.BagRefused(
                f"{len(taken)} asset{'s' if many else ''} of the bag already exist{'' if many else 's'} here "
                f"({', '.join(taken[:10])}); nothing was imported. Restore with --replace to write over them.")
        worker = Recreator(read_bag)
        try:
            with transaction.atomic(), writes_batched():
                made = []
                for record in read_bag.assets:
                    replaced = record["uid"] in taken
                    if replaced:
                        worker.remove_existing(record["uid"])
                    try:
                        asset = worker.asset(record)
                    except (KeyError, TypeError, ValueError, ValidationError, DatabaseError) as exc:
                        # A value the checks let through that the database or a field refuses: the whole bag
                        # is refused, rolled back, its stored files removed below.
                        raise restore.BagRefused(f"data/{record['uid']}/asset.json cannot be restored: "
                                                 f"{_reason(exc)}.") from exc
                    audit.record("archive.bag.restored", actor=actor, target=asset, replaced=replaced,
                                 bag=read_bag.info.get("identifier", ""), source=read_bag.info.get("source", ""),
                                 unknown_people=sorted(worker.unknown_people))
                    made.append(asset)
                doomed, versions = list(worker.doomed), list(worker.new_versions)
                transaction.on_commit(partial(_delete_files, doomed))
                transaction.on_commit(partial(queue_renditions, versions))
        except BaseException:
            for key in worker.stored:  # nothing of a failed restore stays in the store
                with contextlib.suppress(Exception):
                    default_storage.delete(key)
            raise
    return made


def _delete_files(keys: list[tuple[Storage, str]]) -> None:
    for storage, key in keys:
        storage.delete(key)


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    if isinstance(exc, KeyError):
        return f"it lacks {exc.args[0]!r}"
    return str(exc).strip().rstrip(".") or type(exc).__name__
