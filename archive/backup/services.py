"""Taking a backup of the whole DAM and restoring one (docs/backup.md).

A backup holds `database.jsonl` (every row, archive.backup.database), `objects.jsonl` (the manifest: one
line per stored object the rows name, with its storage, key, size and SHA-256, or the problem that kept it
out), `objects/<storage>/<key>` (the objects themselves, unless taken with files left out) and
`backup.json` (what it is, when and at which migrations it was taken, whether it is complete), written last.
"""
from __future__ import annotations

import hashlib
import json
import tarfile
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from accounts import audit
from accounts.models import User
from archive.backup import database
from archive.backup.container import Reader, open_reader, open_writer
from archive.backup.errors import BackupRefused
from archive.backup.objects import StoredObject, referenced_objects
from archive.fixity import reading

FORMAT = "dam-backup/1"
INFO, DATABASE, MANIFEST = "backup.json", "database.jsonl", "objects.jsonl"
# Problems named in backup.json itself (all of them are in the manifest).
LISTED_PROBLEMS = 100

Progress = Callable[[str], None]


def _quiet(message: str) -> None:
    """No progress wanted."""


@dataclass
class BackupReport:
    out: Path
    rows: int = 0
    objects: int = 0
    bytes: int = 0
    files_included: bool = True
    problems: list[dict[str, str]] = field(default_factory=list)  # {"storage", "key", "problem"}

    @property
    def complete(self) -> bool:
        return not self.problems


@dataclass
class RestoreReport:
    rows: int = 0
    assets_indexed: int = 0
    objects_written: int = 0
    objects_in_place: int = 0
    bytes: int = 0
    # Objects that were already missing or unreadable when the backup was taken.
    carried_problems: list[dict[str, str]] = field(default_factory=list)


def _storage(alias: str) -> Storage:
    if alias not in settings.STORAGES:
        raise reading.StoreError("no archive tier is configured (DAM_ARCHIVE_DIR or DAM_ARCHIVE_S3_BUCKET)")
    return storages[alias]


def _blocks(obj: StoredObject) -> Iterator[bytes]:
    """The object's bytes; the first block is read before this returns, so a missing object raises here
    (FileNotFoundError, or reading.StoreError) before anything is written for it."""
    blocks = reading.chunks(_storage(obj.storage), obj.key)
    first = next(blocks, b"")

    def all_blocks() -> Iterator[bytes]:
        yield first
        yield from blocks
    return all_blocks()


def _hash_only(blocks: Iterator[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for block in blocks:
        digest.update(block)
        size += len(block)
    return digest.hexdigest(), size


def backup_take(out: Path, *, include_files: bool = True, actor: User | None = None,
                progress: Progress = _quiet) -> BackupReport:
    """Write a backup of the whole DAM to `out` (a folder, or a .tar or .zip file).

    An object that cannot be read is named in the manifest with the reason and the backup is marked
    incomplete; anything else that fails removes what was written and goes up.
    """
    report = BackupReport(out=out, files_included=include_files)
    writer = open_writer(out)
    try:
        with tempfile.TemporaryDirectory(prefix="dam-backup-") as scratch_name:
            scratch = Path(scratch_name)
            refs = scratch / "references"
            # The rows and the list of objects they name come from one snapshot of the database.
            with database.snapshot():
                progress("Writing the database…")
                report.rows = database.dump(scratch / DATABASE)
                migrations = database.applied_migrations()
                with open(refs, "w", encoding="utf-8") as fh:
                    total = 0
                    for obj in referenced_objects():
                        fh.write(json.dumps([obj.storage, obj.key]) + "\n")
                        total += 1
            progress(f"{report.rows} rows written; {'copying' if include_files else 'hashing'} {total} objects…")
            with open(refs, encoding="utf-8") as lines, open(scratch / MANIFEST, "w", encoding="utf-8") as manifest:
                for number, line in enumerate(lines, 1):
                    obj = StoredObject(*json.loads(line))
                    manifest.write(json.dumps(_take_object(obj, writer if include_files else None, report)) + "\n")
                    if number % 100 == 0 or number == total:
                        progress(f"Objects: {number}/{total} ({report.bytes / 1e6:.1f} MB)")
            writer.add_file(DATABASE, scratch / DATABASE)
            writer.add_file(MANIFEST, scratch / MANIFEST)
            info = {"format": FORMAT, "taken_at": timezone.now().isoformat(), "database": connection.vendor,
                    "rows": report.rows, "migrations": migrations, "files_included": include_files,
                    "objects": report.objects, "bytes": report.bytes, "complete": report.complete,
                    "problem_count": len(report.problems), "problems": report.problems[:LISTED_PROBLEMS]}
            writer.add_stream(INFO, [json.dumps(info, indent=1).encode()])
        writer.close()
    except BaseException:
        writer.abort()
        raise
    with transaction.atomic():
        audit.record("archive.backup.taken", actor=actor, out=str(out), complete=report.complete,
                     objects=report.objects, files_included=include_files, problems=len(report.problems))
    return report


def _take_object(obj: StoredObject, writer: Any, report: BackupReport) -> dict[str, Any]:
    entry: dict[str, Any] = {"storage": obj.storage, "key": obj.key}
    try:
        blocks = _blocks(obj)
        digest, size = writer.add_stream(obj.path, blocks) if writer is not None else _hash_only(blocks)
    except FileNotFoundError:
        entry["problem"] = "missing from the storage"
    except reading.StoreError as exc:
        entry["problem"] = f"unreadable: {exc}"
    else:
        entry.update(size=size, sha256=digest)
        report.objects += 1
        report.bytes += size
        return entry
    report.problems.append(dict(entry))
    return entry


def _read_info(backup: Reader) -> dict[str, Any]:
    if not backup.exists(INFO):
        raise BackupRefused(f"{backup.source} is not a finished backup: it has no {INFO} (a backup that "
                            "stopped half-way, or something else).")
    try:
        with backup.open(INFO) as fh:
            info = json.load(fh)
    except ValueError:
        raise BackupRefused(f"{INFO} in {backup.source} is not readable JSON.") from None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        raise BackupRefused(f"{backup.source} is not a backup this DAM can read (format "
                            f"{info.get('format') if isinstance(info, dict) else None!r}, expected {FORMAT}).")
    return info


def _manifest(backup: Reader) -> Iterator[dict[str, Any]]:
    with backup.open(MANIFEST) as fh:
        for line in fh:
            if line.strip():
                yield _manifest_entry(line)


def _manifest_entry(line: bytes) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except ValueError:
        entry = None
    if (not isinstance(entry, dict) or not isinstance(entry.get("storage"), str)
            or not isinstance(entry.get("key"), str)
            or ("problem" not in entry and not (isinstance(entry.get("sha256"), str)
                                                and isinstance(entry.get("size"), int)))):
        raise BackupRefused(f"{MANIFEST} holds a line that is not an object's storage, key, size and SHA-256: "
                            f"{line[:200]!r}. Nothing was restored.")
    return entry


def _refuse_problems(problems: list[str], what: str) -> None:
    if problems:
        shown = "; ".join(problems[:10]) + (f"; and {len(problems) - 10} more" if len(problems) > 10 else "")
        raise BackupRefused(f"{what}: {shown}. Nothing was restored.")


def _stored_hash(storage: Storage, key: str) -> str | None:
    """The SHA-256 of what the storage holds under `key`, or None when it holds nothing there."""
    try:
        return reading.sha256_of(storage, key)[0]
    except FileNotFoundError:
        return None
    except reading.StoreError as exc:
        raise BackupRefused(f"The storage could not be read: {exc} Nothing was restored.") from None


def _check_objects(backup: Reader, info: dict[str, Any], force: bool, progress: Progress) -> set[tuple[str, str]]:
    """Read every object before anything is written; returns the objects the storages hold already, as they
    should be. Refuses (naming each key) when the backup's bytes differ from the manifest, or with files left
    out, when the storage lacks an object or holds other bytes."""
    needed = {entry["storage"] for entry in _manifest(backup) if "problem" not in entry}
    unconfigured = sorted(needed - set(settings.STORAGES))
    if unconfigured:
        raise BackupRefused(f"The backup holds objects of the {unconfigured[0]!r} storage, which is not configured "
                            "here (for the archive tier: DAM_ARCHIVE_DIR or DAM_ARCHIVE_S3_BUCKET). "
                            "Nothing was restored.")
    files, total = info.get("files_included", True), info.get("objects", 0)
    in_place: set[tuple[str, str]] = set()
    problems: list[str] = []
    checked = 0
    for entry in _manifest(backup):
        if "problem" in entry:
            continue
        obj = StoredObject(entry["storage"], entry["key"])
        stored = _stored_hash(storages[obj.storage], obj.key)
        if not files:
            if stored is None:
                problems.append(f"{obj.key} is missing from the {obj.storage!r} storage")
            elif stored != entry["sha256"]:
                problems.append(f"{obj.key} in the {obj.storage!r} storage does not match its SHA-256")
        else:
            if not backup.exists(obj.path):
                problems.append(f"{obj.key} is listed in the manifest but not in the backup")
            else:
                try:
                    with backup.open(obj.path) as fh:
                        digest, size = _hash_only(iter(lambda: fh.read(reading.CHUNK), b""))
                except (OSError, EOFError, zipfile.BadZipFile, tarfile.TarError) as exc:
                    problems.append(f"{obj.key} could not be read from the backup ({exc})")
                    continue
                if (digest, size) != (entry["sha256"], entry["size"]):
                    problems.append(f"{obj.key} in the backup does not match its SHA-256 in the manifest "
                                    "(its bytes changed)")
            if stored == entry["sha256"]:
                in_place.add((obj.storage, obj.key))
            elif stored is not None and not force:
                problems.append(f"the {obj.storage!r} storage already holds other bytes under {obj.key} "
                                "(add --force to write over them)")
        checked += 1
        if checked % 100 == 0 or checked == total:
            progress(f"Checked objects: {checked}/{total}")
    _refuse_problems(problems, "The backup cannot be restored")
    return in_place


class _HashingReader:
    """Hands a backup's object to a storage while hashing what was handed over."""

    def __init__(self, fh: IO[bytes], size: int) -> None:
        # `size` is what django.core.files.File reports for it (from the manifest).
        self.fh, self.size, self.read_bytes = fh, size, 0
        self.digest = hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        block = self.fh.read(n)
        self.digest.update(block)
        self.read_bytes += len(block)
        return block

    @property
    def closed(self) -> bool:
        return bool(self.fh.closed)

    def seekable(self) -> bool:
        # Storages rewind a seekable file before saving it; this one is read once, from its start.
        return False


def _write_object(backup: Reader, entry: dict[str, Any]) -> None:
    obj = StoredObject(entry["storage"], entry["key"])
    storage = storages[obj.storage]
    if storage.exists(obj.key):  # other bytes under the key, and --force: the backup's win
        storage.delete(obj.key)
    with backup.open(obj.path) as fh:
        source = _HashingReader(fh, entry["size"])
        name = storage.save(obj.key, File(cast(IO[bytes], source), name=obj.key))  # read() is all storages use
    if name != obj.key:
        storage.delete(name)
        raise BackupRefused(f"The {obj.storage!r} storage stored {obj.key} as {name}. Nothing was restored.")
    if (source.digest.hexdigest(), source.read_bytes) != (entry["sha256"], entry["size"]):
        storage.delete(name)
        raise BackupRefused(f"{obj.key} changed in the backup while it was being restored (its SHA-256 no "
                            "longer matches the manifest). Nothing was restored.")


def backup_restore(source: Path, *, force: bool = False, actor: User | None = None,
                   progress: Progress = _quiet) -> RestoreReport:
    """Restore a backup into this empty, migrated database and its storages (with `force`, a database
    that holds data is emptied first). Refuses, restoring nothing, when the backup is unreadable, was
    taken at other migrations, or an object fails its SHA-256."""
    report = RestoreReport()
    with open_reader(source) as backup:
        info = _read_info(backup)
        migrations = info.get("migrations")
        if not isinstance(migrations, list) or not all(
                isinstance(m, list) and len(m) == 2 and all(isinstance(p, str) for p in m) for m in migrations):
            raise BackupRefused(f"{INFO} does not list the migrations the backup was taken at.")
        problem = database.migration_problem([(app, name) for app, name in migrations])
        if problem:
            raise BackupRefused(problem)
        if not force and database.holds_data():
            raise BackupRefused("This database already holds users or assets. Restore into an empty, migrated "
                                "database, or add --force to wipe this one first.")
        progress("Checking every object against the manifest…")
        in_place = _check_objects(backup, info, force, progress)
        rows_path = backup.local_path(DATABASE)
        written: list[StoredObject] = []
        try:
            with transaction.atomic():
                progress("Loading the database…")
                report.assets_indexed = database.load(rows_path)
                report.rows = info.get("rows", 0)
                for entry in _manifest(backup):
                    if "problem" in entry:
                        report.carried_problems.append(entry)
                        continue
                    obj = StoredObject(entry["storage"], entry["key"])
                    report.bytes += entry["size"]
                    if (obj.storage, obj.key) in in_place or not info.get("files_included", True):
                        report.objects_in_place += 1
                        continue
                    try:
                        _write_object(backup, entry)
                    except BackupRefused:
                        raise
                    except Exception as exc:  # a full disk, a bucket that refuses: named, and all rolled back
                        raise BackupRefused(f"Writing {obj.key} into the {obj.storage!r} storage failed "
                                            f"({getattr(exc, 'strerror', None) or exc}). Nothing was restored.") \
                            from exc
                    written.append(obj)
                    report.objects_written += 1
                    if report.objects_written % 100 == 0:
                        progress(f"Objects written: {report.objects_written}")
                audit.record("archive.backup.restored", actor=actor, source=str(source),
                             taken_at=info.get("taken_at"), objects=report.objects_written + report.objects_in_place,
                             problems=len(report.carried_problems))
        except BaseException as exc:
            # The database rolled back; the objects written for it go too.
            for obj in written:
                storages[obj.storage].delete(obj.key)
            if isinstance(exc, DeserializationError | DatabaseError):
                raise BackupRefused(f"The database part of the backup could not be loaded ({exc}). "
                                    "Nothing was restored.") from exc
            raise
    return report
