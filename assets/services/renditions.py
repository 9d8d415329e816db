"""Rendition jobs: queued after a version commits, made from one decode, recorded row by row.

Nothing may stay "processing" for good. A job counts an attempt on every rendition it
is about to make, and records where it runs, before it decodes anything; a worker that
dies (a decoder's crash, the out-of-memory killer, a time limit) is reported by the
cluster's sentinel (`job_died`) and the job runs again at once, and the watchdog
(`renditions_recover`, every minute) catches what no sentinel saw. After
MAX_RENDITION_ATTEMPTS a rendition is failed with a sentence saying why, and people
who may edit the asset can ask for it again (`renditions_retry`).
"""
from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import colors
from assets.models import AssetVersion, Rendition
from dam import jobs
from dam.errors import storage_error

if TYPE_CHECKING:
    # Imported by the rendition job itself: it loads libvips, which web processes never need.
    from assets.renditions import Made

logger = logging.getLogger(__name__)

# Rendition jobs are killed after this long (a decoder that hangs on a hostile file);
# below Q_CLUSTER["retry"] so a slow job is never started twice at once.
RENDITION_TIMEOUT = 240
# Jobs that began a rendition without finishing it (crash, kill, time limit) before it is failed.
MAX_RENDITION_ATTEMPTS = 3
# A job that began this long ago and is still not done died where no sentinel saw it (another machine, a
# killed cluster): its time limit has long passed.
STALLED_AFTER = timedelta(seconds=RENDITION_TIMEOUT + 60)
# A rendition whose job never began this long after its version was stored, and that is in no queue, lost its
# job (a queue emptied).
UNSTARTED_AFTER = timedelta(minutes=15)
# A job a cluster took but has not begun this long after: the cluster died with it in hand.
TAKEN_WITHOUT_START = timedelta(minutes=1)
# The start of the error of a rendition whose job could not store it (a full disk, an unreachable store): it
# waits, and is tried again every WAIT_FOR_STORAGE.
WAITING_FOR_STORAGE = "Waiting for room to store it:"
WAIT_FOR_STORAGE = timedelta(minutes=1)
TASK = "assets.tasks.renditions_generate_task"


def _task_name(version_id: int) -> str:
    return f"renditions-{version_id}"


def this_worker() -> str:
    """Where this process runs, as rendition rows record it: "host:pid"."""
    return f"{socket.gethostname()}:{os.getpid()}"


def queue_renditions(version_ids: list[int]) -> None:
    """Queue one rendition job per version; call only after the version's transaction commits.

    The job makes any rendition row that is missing, so this only queues.
    """
    # In a transaction of its own: outside one, django-q2's ORM broker runs close_old_connections()
    # (meant for its own broker thread) on every enqueue, which closes the caller's connection, so the
    # rest of the upload request reconnected to the database twice.
    with transaction.atomic():
        for version_id in version_ids:
            async_task(TASK, version_id, task_name=_task_name(version_id), group="renditions",
                       timeout=RENDITION_TIMEOUT)


def _queued_jobs() -> dict[str, tuple[int, datetime]]:
    """The ORM broker's queued rendition jobs, by task name: (row, lock). A lock in the future is a job a
    cluster took and has not acknowledged yet (running, waiting for a free worker, or lost with its worker)."""
    found: dict[str, tuple[int, datetime]] = {}
    if not Conf.ORM:
        return found
    for pk, payload, lock in OrmQ.objects.using(Conf.ORM).filter(key=Conf.CLUSTER_NAME).values_list(
            "pk", "payload", "lock"):
        try:
            name = SignedPackage.loads(payload).get("name")
        except Exception:  # noqa: S112 - another kind of job, or one signed with an old key: not ours
            continue
        if isinstance(name, str) and name.startswith("renditions-"):
            found[name] = (pk, lock)
    return found


def _run_again(version_id: int, queued: dict[str, tuple[int, datetime]] | None = None) -> None:
    """Have the version's job run again now: its queued copy, when the ORM broker still holds one (a
    worker that died never acknowledged it), is handed out at once instead of at its retry time."""
    queued = _queued_jobs() if queued is None else queued
    job = queued.get(_task_name(version_id))
    if job is None:
        queue_renditions([version_id])
        return
    OrmQ.objects.using(Conf.ORM).filter(pk=job[0]).update(lock=timezone.now() - timedelta(seconds=1))
    jobs.wake_pushers()


def renditions_generate(*, version_id: int, presets: list[str] | None = None) -> list[Rendition]:
    """Make the version's missing renditions from one decode, the thumbnail first; safe to run twice.

    Each rendition is committed as soon as it is made, so the thumbnail shows while the larger ones
    are still being encoded. A failure is recorded on each rendition not made ("Preview unavailable:
    ..."), never raised, and never touches the original. The perceptual hash comes with the thumbnail.
    """
    from assets import renditions  # loads libvips, which only the job worker needs

    version = AssetVersion.objects.filter(pk=version_id).first()
    if version is None:
        return []  # the version was purged after the job was queued
    wanted = presets or list(Rendition.Preset.values)
    # A whole job (no presets named) also makes the recipe derivatives of the version still waiting.
    rows, derivatives_waiting = _rendition_rows(version, wanted, with_derivatives=presets is None)
    todo = _begin(rows)
    made: dict[str, Made] = {}
    try:
        for preset, result in renditions.render_each(version, todo):
            _rendition_ready(rows[preset], result, version)
            made[preset] = result
    except renditions.RenditionFailed as exc:
        Rendition.objects.filter(pk__in=[rows[p].pk for p in todo if p not in made]).update(
            status=Rendition.Status.FAILED, error=str(exc)[:500], started_at=None, worker="",
            updated_at=timezone.now())
    except Exception as exc:
        if storage_error(exc) is None:
            raise
        # Not the file's fault: the attempt is given back, and the watchdog runs the job again once a minute
        # until there is room (or the store answers again).
        Rendition.objects.filter(pk__in=[rows[p].pk for p in todo if p not in made]).update(
            attempts=F("attempts") - 1, error=f"{WAITING_FOR_STORAGE} {storage_error(exc)}"[:500], started_at=None,
            worker="", updated_at=timezone.now())
    if Rendition.Preset.THUMB in made:
        colors.record_dominant_colors(version_id=version.pk, rendition_name=made[Rendition.Preset.THUMB].name)
    _derivatives_generate(version, derivatives_waiting)
    return list(_rendition_rows(version, wanted)[0].values())


def derivative_generate(*, rendition_id: int) -> Rendition | None:
    """Make one recipe derivative now (a small one, on its first request); safe to run twice. None when it
    is gone; the row as it stands otherwise (pending when another job is making it, failed with the reason)."""
    row = Rendition.objects.select_related("version").filter(pk=rendition_id).first()
    if row is None:
        return None
    if row.status == Rendition.Status.PENDING or not row.file:
        _derivatives_generate(row.version, [row])
    return Rendition.objects.filter(pk=rendition_id).first()


def _derivatives_generate(version: AssetVersion, rows: list[Rendition]) -> None:
    """Make derivatives from the recipe each row carries (assets.derivatives), one at a time."""
    if not rows:
        return
    from assets import derivatives, renditions  # loads libvips

    todo = _begin_rows(rows)
    for row in rows:
        if row.pk not in todo:
            continue
        try:
            result = derivatives.render_spec(version, derivatives.Spec.from_json(row.spec), row.preset)
        except renditions.RenditionFailed as exc:
            Rendition.objects.filter(pk=row.pk).update(status=Rendition.Status.FAILED, error=str(exc)[:500],
                                                       started_at=None, worker="", updated_at=timezone.now())
        except Exception as exc:
            if storage_error(exc) is None:
                raise
            Rendition.objects.filter(pk=row.pk).update(
                attempts=F("attempts") - 1, error=f"{WAITING_FOR_STORAGE} {storage_error(exc)}"[:500],
                started_at=None, worker="", updated_at=timezone.now())
        else:
            _rendition_ready(row, result, version)


def _rendition_rows(version: AssetVersion, presets: list[str], *, with_derivatives: bool = False
                    ) -> tuple[dict[str, Rendition], list[Rendition]]:
    """The version's standard rendition rows for these presets, in that order, read in one query (with the
    recipe derivatives still to make, when asked). The upload makes the standard rows; one missing (a version
    from before that, a row deleted by hand) is made here."""
    wanted = Q(preset__in=presets, variant="")
    if with_derivatives:
        wanted |= ~Q(variant="") & (Q(status=Rendition.Status.PENDING) | Q(status=Rendition.Status.READY, file=""))
    found = list(version.renditions.filter(wanted))
    rows = {r.preset: r for r in found if not r.variant}
    if len(rows) < len(presets):
        # A concurrent run may make the same rows: theirs and ours are equal, so a conflict is no error.
        Rendition.objects.bulk_create([Rendition(version=version, preset=p) for p in presets if p not in rows],
                                      ignore_conflicts=True)
        rows = {r.preset: r for r in version.renditions.filter(preset__in=presets, variant="")}
    return {preset: rows[preset] for preset in presets}, [r for r in found if r.variant]


def _begin(rows: dict[str, Rendition]) -> list[str]:
    """The standard presets still to make, their attempts counted (_begin_rows)."""
    todo = _begin_rows(list(rows.values()))
    return [preset for preset, row in rows.items() if row.pk in todo]


def _begin_rows(rows: list[Rendition]) -> set[int]:
    """Count this job's attempt on each rendition still to make, committed before any decoding (so a job
    whose worker dies counts too); the ids of those to make. A pending rendition out of attempts is failed,
    and one another job is making right now is left to it (a job handed out twice runs once)."""
    now = timezone.now()
    with transaction.atomic():
        locked = list(Rendition.objects.select_for_update().filter(pk__in=[r.pk for r in rows]))
        # Failed for a reason another run would meet again: only renditions_retry asks anew.
        waiting = [r for r in locked if (r.status == Rendition.Status.PENDING and not _being_made(r, now)) or (
            r.status == Rendition.Status.READY and not r.file)]
        for row in waiting:
            if row.attempts >= MAX_RENDITION_ATTEMPTS:
                _fail(row)
        todo = {r.pk for r in waiting if r.attempts < MAX_RENDITION_ATTEMPTS}
        Rendition.objects.filter(pk__in=todo).update(
            attempts=F("attempts") + 1, started_at=now, worker=this_worker(), updated_at=now)
    return todo


def _being_made(row: Rendition, now: datetime) -> bool:
    """Whether a live job began this rendition: begun, within the time limit, and by a worker still there."""
    return bool(row.started_at and row.started_at > now - STALLED_AFTER and not _worker_gone(row.worker))


def _fail(row: Rendition) -> None:
    cause = f" The last time, {row.error}" if row.error else ""
    row.status = Rendition.Status.FAILED
    row.error = (f"Preview unavailable: the job that makes it stopped {row.attempts} times without finishing."
                 f"{cause}")[:500]
    row.started_at, row.worker = None, ""
    row.save(update_fields=["status", "error", "started_at", "worker", "updated_at"])


@transaction.atomic
def _rendition_ready(row: Rendition, result: Made, version: AssetVersion) -> None:
    # Only a row still unfinished takes the new file: a concurrent run that got there first wins,
    # and our file is removed instead of orphaned.
    updated = Rendition.objects.filter(pk=row.pk).exclude(status=Rendition.Status.READY).update(
        status=Rendition.Status.READY, file=result.name, mime_type=result.mime_type, width=result.width,
        height=result.height, size=result.size, error="", started_at=None, worker="", updated_at=timezone.now())
    if not updated:
        transaction.on_commit(partial(default_storage.delete, result.name))
    if result.phash and version.phash != result.phash:
        AssetVersion.objects.filter(pk=version.pk).update(phash=result.phash)


def rendition_generate(*, version_id: int, preset: str) -> Rendition | None:
    """Make (or remake) one rendition; safe to run twice. A failure is recorded, never raised."""
    made = renditions_generate(version_id=version_id, presets=[preset])
    return made[0] if made else None


# --- jobs that died, and asking again ---------------------------------------------------------------

def death_cause(exitcode: int | None, timed_out: bool) -> str:
    """What became of a worker, in words, from its exit code."""
    if timed_out:
        return f"it took longer than its time limit ({RENDITION_TIMEOUT} s) and was stopped."
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = "an unknown signal"
        if number == signal.SIGKILL:
            return f"the worker was killed (signal {number}, {name}: out of memory, or stopped by the system)."
        return f"the decoder crashed the worker (signal {number}, {name})."
    return f"the worker stopped unexpectedly (exit code {exitcode})."


def job_died(*, worker: str, exitcode: int | None, timed_out: bool) -> list[int]:
    """A worker process died or was stopped: its renditions go back to waiting and their job runs again at
    once (or they fail, out of attempts). Called by the cluster's sentinel. Returns the versions run again."""
    cause = death_cause(exitcode, timed_out)
    with transaction.atomic():
        rows = list(Rendition.objects.select_for_update().filter(status=Rendition.Status.PENDING, worker=worker))
        for row in rows:
            row.error, row.started_at, row.worker = cause, None, ""
            row.save(update_fields=["error", "started_at", "worker", "updated_at"])
        again = sorted({row.version_id for row in rows})
    for version_id in again:
        logger.warning("The rendition job of version %s stopped: %s It runs again.", version_id, cause)
        _run_again(version_id)
    return again


def _worker_gone(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another machine's process: only its time can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def renditions_recover() -> list[int]:
    """The watchdog: run again the rendition jobs that died where no sentinel saw it, stalled past their
    time limit, never began, or wait for room to store their files; safe to run twice. Returns the versions
    run again."""
    now = timezone.now()
    pending = Rendition.objects.filter(status=Rendition.Status.PENDING)
    begun = pending.filter(started_at__isnull=False)
    stalled = set(begun.filter(started_at__lt=now - STALLED_AFTER).values_list("version_id", flat=True))
    stalled |= {version_id for version_id, worker in begun.values_list("version_id", "worker")
                if _worker_gone(worker)}
    for version_id in stalled:
        Rendition.objects.filter(version_id=version_id, status=Rendition.Status.PENDING,
                                 started_at__isnull=False).update(
            error="the job that made it stopped without a word (its worker or cluster went away).",
            started_at=None, worker="", updated_at=now)
    queued = _queued_jobs()
    # Not begun: taken by a cluster more than a minute ago and still not started (the cluster died with it in
    # hand, and its lock would hold it until the broker's retry), or in no queue at all for a while (lost).
    # A job handed out twice this way runs once: the second finds the renditions begun or made (_begin).
    taken_before = now + timedelta(seconds=Conf.RETRY) - TAKEN_WITHOUT_START  # the lock is taking + retry
    waiting_since = pending.filter(started_at__isnull=True).exclude(error__startswith=WAITING_FOR_STORAGE)
    never = set()
    for version_id in set(waiting_since.values_list("version_id", flat=True)):
        job = queued.get(_task_name(version_id))
        if job is not None and now < job[1] < taken_before:
            never.add(version_id)
    never |= {version_id for version_id in waiting_since.filter(
        version__created_at__lt=now - UNSTARTED_AFTER).values_list("version_id", flat=True)
        if _task_name(version_id) not in queued}
    waiting = set(pending.filter(started_at__isnull=True, error__startswith=WAITING_FOR_STORAGE,
                                 updated_at__lt=now - WAIT_FOR_STORAGE).values_list("version_id", flat=True))
    again = sorted(stalled | never | waiting)
    for version_id in again:
        _run_again(version_id, queued)
    return again


def renditions_retry(*, version: AssetVersion, actor: User | None) -> list[Rendition]:
    """Ask again for a version's renditions that failed: fresh attempts, a new job."""
    if actor is not None:
        authority.require(actor, "retry_renditions", version.asset)
    with transaction.atomic():
        failed = list(Rendition.objects.select_for_update().filter(
            Q(status=Rendition.Status.FAILED) | Q(status=Rendition.Status.PENDING, started_at__isnull=True),
            version=version))
        Rendition.objects.filter(pk__in=[r.pk for r in failed]).update(
            status=Rendition.Status.PENDING, attempts=0, error="", started_at=None, worker="",
            updated_at=timezone.now())
        audit.record("assets.renditions.retried", actor=actor, target=version.asset, version=version.number,
                     presets=sorted(r.preset for r in failed))
        if failed:
            transaction.on_commit(partial(queue_renditions, [version.pk]))
    return failed
