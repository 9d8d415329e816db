"""The store against the database: stored files no row points to, and rows whose file is missing.

A crash between storing a file and committing its row, a dropped database connection,
or a full disk can leave a stored file that nothing refers to; a file deleted by hand
leaves a row without its file. `sweep()` walks the store one folder at a time (the
keys are sharded, so memory stays small at any size), compares each folder with the
rows that point into it, removes orphans older than an hour (younger ones may belong
to an upload about to commit), asks again for renditions whose file is missing, and
reports originals whose file is missing (they are history, never deleted here).

Apps above register the other places they store files (ingest: archives waiting to be
unpacked) in `PLACES`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from accounts import audit
from accounts.models import User
from assets.models import AssetVersion, Rendition, StorageSweep, StorageTier
from assets.services.renditions import queue_renditions

logger = logging.getLogger(__name__)

# Files younger than this are left alone: an upload stores its file before its row commits.
GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Place:
    """Where some rows keep their files: the names they point to under a folder, and the folders they use."""

    referenced: Callable[[str], set[str]]
    folders: Callable[[], set[str]]


def _sharded(queryset: QuerySet, column: str, depth: int) -> Place:
    """Rows whose files sit `depth` folders deep ("originals/ab/cd/<key>"): folders listed by the database."""
    def referenced(folder: str) -> set[str]:
        return set(queryset.filter(**{f"{column}__startswith": folder}).values_list(column, flat=True))

    def folders() -> set[str]:
        names = queryset.exclude(**{column: ""}).values_list(column, flat=True)
        # The folder part of each name, counted by the database (one row per folder, not per file).
        length = None
        for name in names[:1]:
            length = len("/".join(name.split("/")[:depth])) + 1
        if length is None:
            return set()
        return set(queryset.exclude(**{column: ""}).annotate(folder=Substr(column, 1, length))
                   .values_list("folder", flat=True).distinct())
    return Place(referenced, folders)


# Top folder -> its Place. Registered by the apps that store files there too (ingest: staging/archives/).
PLACES: dict[str, Place] = {
    # Only originals in the primary storage: those moved to the archive tier are not expected here, and a
    # copy left behind by an interrupted move (archive.tier) is an orphan like any other.
    "originals/": _sharded(AssetVersion.objects.filter(storage_tier=StorageTier.PRIMARY), "file", 3),
    "renditions/": _sharded(Rendition.objects.all(), "file", 2),
}


@dataclass
class Report:
    checked: int = 0
    orphans: list[str] = field(default_factory=list)
    removed: int = 0
    bytes_freed: int = 0
    missing_originals: list[str] = field(default_factory=list)  # asset uids
    missing_renditions: int = 0


def _folders(top: str) -> Iterator[tuple[str, list[str]]]:
    """Each folder under `top` that holds files, with its file names, deepest first (an object store has
    no empty folders; on disk they are passed over too)."""
    try:
        folders, files = default_storage.listdir(top)
    except FileNotFoundError:
        return
    for folder in folders:
        yield from _folders(f"{top}{folder}/")
    if files:
        yield top, files


def stored_folders(top: str) -> Iterator[tuple[str, list[str]]]:
    """The same walk for other readers of the store (archive.fixity looks for untracked originals)."""
    return _folders(top)


def sweep(*, dry_run: bool = False, actor: User | None = None) -> Report:
    """Compare the store with the rows; remove orphans and ask again for missing renditions unless `dry_run`."""
    report = Report()
    cutoff = timezone.now() - GRACE
    for top, place in PLACES.items():
        visited = set()
        for folder, names in _folders(top):
            visited.add(folder)
            known = place.referenced(folder)
            report.checked += len(names)
            for name in names:
                key = f"{folder}{name}"
                if key in known or name.startswith("."):  # a rendition being written ("...part") is not ours
                    continue
                if default_storage.get_modified_time(key) > cutoff:
                    continue
                report.orphans.append(key)
                if not dry_run:
                    size = default_storage.size(key)
                    default_storage.delete(key)
                    report.removed += 1
                    report.bytes_freed += size
            _missing(report, folder, known - {f"{folder}{n}" for n in names}, dry_run)
        for folder in sorted(place.folders() - visited):  # folders rows point into that hold no file at all
            _missing(report, folder, place.referenced(folder), dry_run)
    if not dry_run:
        _record(report, actor)
    return report


def _missing(report: Report, folder: str, keys: set[str], dry_run: bool) -> None:
    """Rows of this folder whose file is not in the store."""
    if not keys:
        return
    if folder.startswith("originals/"):
        report.missing_originals += [str(uid) for uid in AssetVersion.objects.filter(file__in=keys).values_list(
            "asset__uid", flat=True)]
    elif folder.startswith("renditions/"):
        rows = Rendition.objects.filter(file__in=keys)
        report.missing_renditions += rows.count()
        if not dry_run:
            versions = sorted(set(rows.values_list("version_id", flat=True)))
            rows.update(status=Rendition.Status.PENDING, file="", attempts=0, started_at=None, worker="",
                        error="Its file was missing from the store; it is made again.")
            transaction.on_commit(lambda: queue_renditions(versions))


@transaction.atomic
def _record(report: Report, actor: User | None) -> None:
    done = StorageSweep.objects.create(
        checked=report.checked, orphans=len(report.orphans), removed=report.removed, bytes_freed=report.bytes_freed,
        missing_originals=report.missing_originals[:1000], missing_renditions=report.missing_renditions)
    audit.record("assets.storage.swept", actor=actor, target=done, checked=report.checked, removed=report.removed,
                 bytes_freed=report.bytes_freed, missing_originals=len(report.missing_originals),
                 missing_renditions=report.missing_renditions)
