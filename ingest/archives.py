"""Unpacking zip and tar archives safely, one entry at a time, with an outcome for each entry.

Nothing from an archive is trusted: entry names are only ever displayed (the
staged file gets a generated name inside a private staging folder, so a name
like "../../etc/passwd" cannot write anywhere), links and devices are refused,
and entry count, total size and compression ratio are capped so a zip bomb
stops early instead of filling the disk.
"""
from __future__ import annotations

import stat
import tarfile
import tempfile
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings

ARCHIVE_MIME_TYPES = ("application/zip", "application/x-tar", "application/gzip", "application/x-gzip",
                      "application/x-bzip2", "application/x-xz")
CHUNK = 1024 * 1024
# Files that archivers add on their own and that nobody means to upload.
SYSTEM_NAMES = (".DS_Store", "Thumbs.db", "desktop.ini")


def limits() -> dict[str, int]:
    return {
        "entries": settings.DAM_ARCHIVE_MAX_ENTRIES,
        "total": settings.DAM_ARCHIVE_MAX_TOTAL_BYTES,
        "ratio": settings.DAM_ARCHIVE_MAX_RATIO,
        "entry": settings.DAM_MAX_UPLOAD_BYTES,
    }


@dataclass
class Entry:
    """One member of an archive: a staged file to ingest, or the reason it was refused."""

    name: str
    path: Path | None = None
    reason: str = ""
    size: int | None = None


class ArchiveUnreadable(Exception):
    pass


def is_archive(mime_type: str, fileobj: IO[bytes]) -> bool:
    if mime_type == "application/zip":
        return True
    if mime_type in ARCHIVE_MIME_TYPES:
        fileobj.seek(0)
        try:
            with tarfile.open(fileobj=fileobj, mode="r:*"):
                return True
        except (tarfile.TarError, OSError, EOFError):
            return False
        finally:
            fileobj.seek(0)
    return False


def unsafe_name_reason(name: str) -> str:
    """Why an entry name may not be unpacked (empty when it is fine)."""
    normalised = name.replace("\\", "/")
    path = PurePosixPath(normalised)
    if normalised.startswith("/") or (len(normalised) > 1 and normalised[1] == ":"):
        return "Refused: the entry has an absolute path (it would be written outside the archive's folder)."
    if ".." in path.parts:
        return "Refused: the entry's path leads outside the archive's folder (zip slip)."
    if any(ord(c) < 32 for c in normalised):
        return "Refused: the entry's name contains control characters."
    return ""


def count_files(fileobj: IO[bytes], mime_type: str) -> int:
    """How many files (not folders) the archive holds, from its directory, without unpacking any.

    A zip says so in its central directory; a tar's headers are read one after the other (its
    contents skipped), and counting stops just past the entry limit.
    """
    fileobj.seek(0)
    try:
        if mime_type == "application/zip":
            with zipfile.ZipFile(fileobj) as archive:
                return sum(1 for info in archive.infolist() if not info.is_dir())
        count = 0
        with tarfile.open(fileobj=fileobj, mode="r:*") as tar:
            for member in tar:
                count += not member.isdir()
                if count > settings.DAM_ARCHIVE_MAX_ENTRIES:
                    break
        return count
    except (zipfile.BadZipFile, tarfile.TarError, OSError, EOFError, ValueError) as exc:
        raise ArchiveUnreadable(f"The archive cannot be read ({exc}).") from exc
    finally:
        fileobj.seek(0)


def entries(fileobj: IO[bytes], mime_type: str, staging: Path, *, skip: int = 0) -> Iterator[Entry]:
    """Yield each file entry of the archive; a file is staged, and deleted again once the caller is done.

    `skip` passes over the first entries without unpacking them (a job that goes on where an
    earlier one stopped); they still count towards the archive's limits.
    """
    fileobj.seek(0)
    if mime_type == "application/zip":
        yield from _zip_entries(fileobj, staging, skip)
    else:
        yield from _tar_entries(fileobj, staging, skip)


class _Budget:
    def __init__(self, archive_size: int):
        self.limits = limits()
        self.archive_size = max(archive_size, 1)
        self.count = 0
        self.total = 0

    def admit(self) -> str:
        self.count += 1
        if self.count > self.limits["entries"]:
            return f"Refused: the archive has more than {self.limits['entries']} entries."
        return ""

    def room(self) -> int:
        return min(self.limits["entry"], self.limits["total"] - self.total)

    def overall_ratio_exceeded(self) -> bool:
        # Only past 100 MB: small archives of text compress well and are harmless.
        return self.total > 100 * 1024 * 1024 and self.total / self.archive_size > self.limits["ratio"]


def _stage(source: IO[bytes], staging: Path, budget: _Budget, declared: int | None) -> tuple[Path | None, str, int]:
    """Copy one entry into the staging folder under a generated name, within the budget."""
    target = staging / uuid.uuid4().hex
    written = 0
    room = budget.room()
    with open(target, "xb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > room or (declared is not None and written > declared):
                out.close()
                target.unlink(missing_ok=True)
                budget.total += written
                if declared is not None and written > declared:
                    reason = "Refused: the entry is larger than the archive says (a corrupt or hostile archive)."
                else:
                    reason = "Refused: unpacking it would exceed the size limit for archives."
                return None, reason, written
            out.write(chunk)
    budget.total += written
    if budget.overall_ratio_exceeded():
        target.unlink(missing_ok=True)
        return None, "Refused: the archive expands far beyond its size (possible zip bomb).", written
    return target, "", written


def _zip_entries(fileobj: IO[bytes], staging: Path, skip: int) -> Iterator[Entry]:
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveUnreadable(f"The zip file cannot be read ({exc}).") from exc
    fileobj.seek(0, 2)
    budget = _Budget(fileobj.tell())
    with archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            name = info.filename
            if (reason := budget.admit()):
                yield Entry(name, reason=reason)
                return
            if budget.count <= skip:
                budget.total += info.file_size
                continue
            mode = info.external_attr >> 16
            if (reason := unsafe_name_reason(name)):
                yield Entry(name, reason=reason, size=info.file_size)
            elif stat.S_ISLNK(mode):
                yield Entry(name, reason="Refused: the entry is a symbolic link.", size=info.file_size)
            elif mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
                yield Entry(name, reason="Refused: the entry is not a regular file (device, pipe or socket).")
            elif _is_system_file(name):
                yield Entry(name, reason="Skipped: a file the archiver adds by itself (system metadata).")
            elif info.flag_bits & 0x1:
                yield Entry(name, reason="Refused: the entry is encrypted.", size=info.file_size)
            elif info.file_size > budget.limits["ratio"] * max(info.compress_size, 1) and info.file_size > 1024 * 1024:
                yield Entry(name, reason="Refused: the entry's compression ratio is too high (possible zip bomb).",
                            size=info.file_size)
            else:
                try:
                    with archive.open(info) as source:
                        path, reason, size = _stage(source, staging, budget, info.file_size)
                except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
                    path, reason, size = None, f"Refused: the entry cannot be unpacked ({exc}).", info.file_size
                yield from _yield_staged(name, path, reason, size)


def _tar_entries(fileobj: IO[bytes], staging: Path, skip: int) -> Iterator[Entry]:
    try:
        # Closed by the `with archive:` below; opened apart so an unreadable file is one clear refusal.
        archive = tarfile.open(fileobj=fileobj, mode="r:*")  # noqa: SIM115
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveUnreadable(f"The tar file cannot be read ({exc}).") from exc
    fileobj.seek(0, 2)
    budget = _Budget(fileobj.tell())
    with archive:
        try:
            for member in archive:
                if member.isdir():
                    continue
                name = member.name
                if (reason := budget.admit()):
                    yield Entry(name, reason=reason)
                    return
                if budget.count <= skip:
                    budget.total += member.size
                    continue
                if (reason := unsafe_name_reason(name)):
                    yield Entry(name, reason=reason, size=member.size)
                elif member.issym() or member.islnk():
                    yield Entry(name, reason="Refused: the entry is a link.")
                elif not member.isfile():
                    yield Entry(name, reason="Refused: the entry is not a regular file (device, pipe or socket).")
                elif _is_system_file(name):
                    yield Entry(name, reason="Skipped: a file the archiver adds by itself (system metadata).")
                else:
                    source = archive.extractfile(member)  # a stream: tarfile itself never writes to disk here
                    if source is None:
                        yield Entry(name, reason="Refused: the entry has no content.")
                        continue
                    with source:
                        path, reason, size = _stage(source, staging, budget, member.size)
                    yield from _yield_staged(name, path, reason, size)
        except (tarfile.TarError, OSError, EOFError) as exc:
            yield Entry("(rest of the archive)", reason=f"Refused: the archive is damaged from here on ({exc}).")


def _yield_staged(name: str, path: Path | None, reason: str, size: int) -> Iterator[Entry]:
    try:
        yield Entry(name, path=path, reason=reason, size=size)
    finally:
        if path is not None:
            path.unlink(missing_ok=True)  # one staged entry at a time: disk use stays at one file


def _is_system_file(name: str) -> bool:
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return "__MACOSX" in parts or (bool(parts) and (parts[-1] in SYSTEM_NAMES or parts[-1].startswith("._")))


def staging_folder() -> Any:
    """A private temporary folder for one archive's entries, removed afterwards (the caller's `with`)."""
    return tempfile.TemporaryDirectory(prefix="dam-unpack-", dir=settings.FILE_UPLOAD_TEMP_DIR)
