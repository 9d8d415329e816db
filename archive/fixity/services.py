"""Fixity: read every stored original, stream its SHA-256 and compare it with the one recorded at ingest.

A run reports three kinds of problem: *changed* (the bytes differ), *missing* (the object is gone) and
*untracked* (an object in the originals area that no version owns; only a run over the whole store looks
for those). Each run is a FixityRun row that moves on as it goes, so a run cut off half-way still says
what it checked; one that could not read everything ends *incomplete*, never *complete*.

A run can go on over several jobs (`fixity_run_continue(budget=...)`): a job has a time limit
(settings.Q_CLUSTER) and the broker hands a job out again once `retry` has passed, so a weekly run over
a large store is done in slices that each end well within that limit.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime

from django.core.files.storage import Storage, default_storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from accounts.permissions import Cap
from archive.fixity import reading
from archive.models import FixityCheck, FixityProblem, FixityRun
from archive.models.fixity import STALE
from assets import sweep
from assets.models import AssetVersion, Collection, StorageTier
from assets.originals import archive_tier_configured, tier_storage
from dam.errors import StateConflict
from workflows.services.notifications import notify

logger = logging.getLogger(__name__)

BATCH = 200
ORIGINALS = "originals/"


def scope_sentence(collection: Collection | None, sample: int | None) -> str:
    where = f"in “{collection.name}” and its sub-folders" if collection is not None else "in the store"
    if sample is not None:
        return f"The {sample} least recently checked original{'s' if sample != 1 else ''} {where}"
    return f"Every original {where}" + ("" if collection is not None else ", and untracked objects")


@transaction.atomic
def fixity_run_start(*, actor: User | None, trigger: str, collection: Collection | None = None,
                     sample: int | None = None) -> FixityRun:
    """Open a run (nothing is read yet). One run at a time: a second is refused while one is running."""
    if sample is not None and sample < 1:
        raise ValueError("The sample must be at least 1 original.")
    _close_stale_runs()
    running = FixityRun.objects.select_for_update().filter(state=FixityRun.State.RUNNING).first()
    if running is not None:
        started = timezone.localtime(running.started_at)
        raise StateConflict(f"A fixity check is already running (started {started:%Y-%m-%d %H:%M}).")
    run = FixityRun.objects.create(trigger=trigger, started_by=actor, collection=collection, sample=sample,
                                   everything=collection is None and sample is None,
                                   scope=scope_sentence(collection, sample)[:300])
    audit.record("archive.fixity.started", actor=actor, target=run, scope=run.scope, trigger=trigger)
    return run


def _close_stale_runs() -> None:
    cutoff = timezone.now() - STALE
    for run_id in FixityRun.objects.filter(state=FixityRun.State.RUNNING, heartbeat_at__lt=cutoff) \
            .values_list("pk", flat=True):
        _finish(run_id, error="The check stopped without finishing (its job was interrupted); "
                              "the originals it had not reached were not checked.")


def fixity_check(*, actor: User | None, trigger: str, collection: Collection | None = None,
                 sample: int | None = None) -> FixityRun:
    """Start a run and take it to its end in this process (the command)."""
    run = fixity_run_start(actor=actor, trigger=trigger, collection=collection, sample=sample)
    fixity_run_continue(run_id=run.pk)
    run.refresh_from_db()
    return run


def fixity_run_continue(*, run_id: int, budget: float | None = None) -> bool:
    """Go on with a running run; stop after about `budget` seconds. True when the run has ended."""
    run = FixityRun.objects.filter(pk=run_id).select_related("collection").first()
    if run is None or run.state != FixityRun.State.RUNNING:
        return True  # a job run twice, or a run closed meanwhile
    deadline = None if budget is None else time.monotonic() + budget
    found = _Findings(run)
    try:
        while batch := _next_batch(run):
            for version in batch:
                found.add(version, *_check_one(version))
                if deadline is not None and time.monotonic() > deadline:
                    found.write()
                    return False
            found.write()
            run.refresh_from_db(fields=["checked", "cursor"])
        if run.everything:
            _look_for_untracked(run)
    except reading.StoreError as exc:
        found.write()  # what was checked before the store failed is kept
        _finish(run.pk, error=f"{exc} The originals after it were not checked.")
        return True
    except Exception as exc:  # never leave a run "running" (or let it look fine) after a failure of ours
        logger.exception("Fixity run %s stopped", run.pk)
        with contextlib.suppress(Exception):  # keep what was checked, unless writing it is what failed
            found.write()
        _finish(run.pk, error=f"The check stopped on an unexpected error ({type(exc).__name__}), recorded in "
                              "the server log; the originals after it were not checked.")
        return True
    _finish(run.pk, error="")
    return True


def _scope(run: FixityRun) -> QuerySet[AssetVersion]:
    versions = AssetVersion.objects.all()
    if run.collection is not None:
        versions = versions.filter(asset__collection__path__startswith=run.collection.path)
    elif not run.everything and run.sample is None:
        return versions.none()  # its folder was deleted while it ran: nothing left of the scope
    return versions


def _next_batch(run: FixityRun) -> list[AssetVersion]:
    versions = _scope(run).only("pk", "file", "sha256", "asset_id")
    if run.sample is not None:
        left = run.sample - run.checked
        if left <= 0:
            return []
        # The least recently checked first (never-checked ones before all), skipping those done in this run.
        done = FixityCheck.objects.filter(run=run).values("version_id")
        return list(versions.exclude(pk__in=done)
                    .order_by(F("fixity__checked_at").asc(nulls_first=True), "pk")[:min(BATCH, left)])
    return list(versions.filter(pk__gt=run.cursor).order_by("pk")[:BATCH])


def _check_one(version: AssetVersion) -> tuple[str, str, int]:
    """Read one original: (outcome, SHA-256 found, bytes read). StoreError (the store failing) goes up."""
    try:
        actual, size = reading.sha256_of(reading.storage_for(version), version.file.name or "")
    except FileNotFoundError:
        return FixityCheck.Outcome.MISSING, "", 0
    return (FixityCheck.Outcome.OK if actual == version.sha256 else FixityCheck.Outcome.CHANGED), actual, size


class _Findings:
    """Checks made but not written yet. Written together every few seconds (and before a slice ends or a
    store error ends the run): one transaction per file cost more than reading and hashing a 3 MB file
    (bench/fixity.py). A worker killed in between loses at most those: the cursor has not moved past them,
    so they are read again."""

    EVERY = 2.0  # seconds

    def __init__(self, run: FixityRun) -> None:
        self.run = run
        self.rows: list[tuple[AssetVersion, str, str, int, datetime]] = []
        self.since = time.monotonic()

    def add(self, version: AssetVersion, outcome: str, actual: str, size: int) -> None:
        self.rows.append((version, outcome, actual, size, timezone.now()))
        if time.monotonic() - self.since > self.EVERY:
            self.write()

    @transaction.atomic
    def write(self) -> None:
        rows, self.rows, self.since = self.rows, [], time.monotonic()
        if not rows:
            return
        ok = [FixityCheck(version_id=v.pk, checked_at=at, verified_at=at, outcome=outcome, run=self.run)
              for v, outcome, _, _, at in rows if outcome == FixityCheck.Outcome.OK]
        bad = [FixityCheck(version_id=v.pk, checked_at=at, outcome=outcome, run=self.run)
               for v, outcome, _, _, at in rows if outcome != FixityCheck.Outcome.OK]
        # One row per version: a check replaces the last one; a failed check keeps when it was last intact.
        for checks, fields in ((ok, ["checked_at", "verified_at", "outcome", "run"]),
                               (bad, ["checked_at", "outcome", "run"])):
            if checks:
                FixityCheck.objects.bulk_create(checks, update_conflicts=True, unique_fields=["version"],
                                                update_fields=fields)
        FixityProblem.objects.bulk_create(
            FixityProblem(run=self.run, kind=outcome, version_id=v.pk, key=(v.file.name or "")[:255],
                          expected=v.sha256, actual=actual)
            for v, outcome, actual, _, _ in rows if outcome != FixityCheck.Outcome.OK)
        kinds = Counter(outcome for _, outcome, _, _, _ in rows if outcome != FixityCheck.Outcome.OK)
        FixityRun.objects.filter(pk=self.run.pk).update(
            checked=F("checked") + len(rows), bytes_read=F("bytes_read") + sum(r[3] for r in rows),
            cursor=max(v.pk for v, *_ in rows), heartbeat_at=timezone.now(),
            **{kind: F(kind) + count for kind, count in kinds.items()})


def _look_for_untracked(run: FixityRun) -> None:
    """Objects under originals/ that no version owns. Those younger than the sweep's grace period are
    passed over: an upload stores its file before its row commits."""
    cutoff = timezone.now() - sweep.GRACE
    places = [(default_storage, sweep.PLACES[ORIGINALS].referenced)]
    if archive_tier_configured():  # originals moved to the archive tier are owned there
        places.append((tier_storage(StorageTier.ARCHIVE), _archived_originals))
    try:
        for storage, referenced in places:
            _untracked_in(run, storage, referenced, cutoff)
    except reading.StoreError:
        raise
    except Exception as exc:  # listing goes through the storage API: any of its errors ends the run incomplete
        raise reading.StoreError(f"Listing the stored originals failed: {exc}.") from exc


def _archived_originals(folder: str) -> set[str]:
    return set(AssetVersion.objects.filter(storage_tier=StorageTier.ARCHIVE, file__startswith=folder)
               .values_list("file", flat=True))


def _untracked_in(run: FixityRun, storage: Storage, referenced: Callable[[str], set[str]],
                  cutoff: datetime) -> None:
    for number, (folder, files) in enumerate(reading.stored_folders(storage, ORIGINALS)):
        known = referenced(folder)
        strays = [f"{folder}{name}" for name, modified in files.items()
                  if f"{folder}{name}" not in known and not name.startswith(".") and modified() <= cutoff]
        if strays:
            FixityProblem.objects.bulk_create(
                FixityProblem(run=run, kind=FixityProblem.Kind.UNTRACKED, key=key[:255]) for key in strays)
        if strays or number % 500 == 0:
            FixityRun.objects.filter(pk=run.pk).update(untracked=F("untracked") + len(strays),
                                                       heartbeat_at=timezone.now())


@transaction.atomic
def _finish(run_id: int, *, error: str) -> FixityRun:
    run = FixityRun.objects.select_for_update().get(pk=run_id)
    if run.state != FixityRun.State.RUNNING:
        return run
    run.state = FixityRun.State.INCOMPLETE if error else FixityRun.State.COMPLETE
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "error", "finished_at"])
    audit.record("archive.fixity.finished", actor=None, target=run, state=run.state, checked=run.checked,
                 changed=run.changed, missing=run.missing, untracked=run.untracked, error=error)
    if error or run.problems_count:
        notify(authority.users_with_capability(Cap.ADMINISTER), verb=f"archive.fixity.{run.state}",
               message=summary(run), url=run.get_absolute_url())
    return run


def summary(run: FixityRun) -> str:
    """The run's outcome in a sentence, for the notification and the page."""
    checked = f"{run.checked} original{'s' if run.checked != 1 else ''} checked"
    found = [f"{count} {label}" for count, label in ((run.changed, "changed"), (run.missing, "missing"),
                                                     (run.untracked, "untracked")) if count]
    if run.state == FixityRun.State.RUNNING:
        return f"Fixity check running: {checked} so far."
    if run.state == FixityRun.State.INCOMPLETE:
        return (f"Fixity check incomplete: {checked} before it stopped"
                + (f"; {', '.join(found)}" if found else "") + f". {run.error}")
    if found:
        return f"Fixity check found problems: {', '.join(found)} ({checked})."
    return f"Fixity check complete: {checked}, all intact."
