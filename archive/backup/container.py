"""The backup as a folder, a .tar or a .zip: the same names inside, written and read alike.

A folder is the default: it can be synced elsewhere (rsync, restic) object by object. A .tar or .zip is
one file to carry; it is written under `<name>.part` and renamed when complete, so a file with the final
name is always a finished backup. Objects are stored, not compressed: media are compressed already.
"""
from __future__ import annotations

import hashlib
import shutil
import tarfile
import tempfile
import zipfile
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from archive.backup.errors import BackupRefused

# An object bigger than this is spooled to a temporary file before it goes into a tar (whose header
# needs the size first); smaller ones stay in memory.
SPOOL_BYTES = 16 * 1024 * 1024


def _check_name(name: str) -> str:
    parts = PurePosixPath(name).parts
    if not name or name.startswith("/") or "\\" in name or ".." in parts:
        raise BackupRefused(f"The backup names a file outside itself ({name!r}); it was not made by this DAM.")
    return name


def _copy_hashed(blocks: Iterable[bytes], write: Any) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for block in blocks:
        digest.update(block)
        size += len(block)
        write(block)
    return digest.hexdigest(), size


class Writer(ABC):
    """Adds named files to a backup being written; `close` finishes it, `abort` removes what was written."""

    def __init__(self, out: Path) -> None:
        self.out = out

    @abstractmethod
    def add_stream(self, name: str, blocks: Iterable[bytes]) -> tuple[str, int]:
        """Write the blocks as `name`; returns their SHA-256 (hex) and size."""

    @abstractmethod
    def add_file(self, name: str, path: Path) -> None:
        """Copy a file from disk into the backup as `name`."""

    @abstractmethod
    def close(self) -> None:
        """The backup is complete."""

    @abstractmethod
    def abort(self) -> None:
        """Remove what was written: the backup failed."""


class FolderWriter(Writer):
    def __init__(self, out: Path) -> None:
        super().__init__(out)
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            raise BackupRefused(f"{out} exists and is not an empty folder; a backup never writes over files.")
        out.mkdir(parents=True, exist_ok=True)

    def _target(self, name: str) -> Path:
        target = self.out / _check_name(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def add_stream(self, name: str, blocks: Iterable[bytes]) -> tuple[str, int]:
        with open(self._target(name), "wb") as fh:
            return _copy_hashed(blocks, fh.write)

    def add_file(self, name: str, path: Path) -> None:
        shutil.copyfile(path, self._target(name))

    def close(self) -> None:
        # Every file is in place already; backup.json, added last, is what marks the folder finished.
        return None

    def abort(self) -> None:
        shutil.rmtree(self.out, ignore_errors=True)


class _OneFileWriter(Writer):
    def __init__(self, out: Path) -> None:
        super().__init__(out)
        if out.exists():
            raise BackupRefused(f"{out} exists; a backup never writes over files.")
        out.parent.mkdir(parents=True, exist_ok=True)
        self.part = out.with_name(out.name + ".part")

    def close(self) -> None:
        self.part.rename(self.out)

    def abort(self) -> None:
        self.part.unlink(missing_ok=True)


class TarWriter(_OneFileWriter):
    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.tar = tarfile.open(self.part, "w", format=tarfile.PAX_FORMAT)  # noqa: SIM115 - closed in close/abort

    def add_stream(self, name: str, blocks: Iterable[bytes]) -> tuple[str, int]:
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES) as spool:
            digest, size = _copy_hashed(blocks, spool.write)
            spool.seek(0)
            info = tarfile.TarInfo(_check_name(name))
            info.size, info.mode = size, 0o640
            self.tar.addfile(info, spool)
        return digest, size

    def add_file(self, name: str, path: Path) -> None:
        self.tar.add(path, arcname=_check_name(name))

    def close(self) -> None:
        self.tar.close()
        super().close()

    def abort(self) -> None:
        self.tar.close()
        super().abort()


class ZipWriter(_OneFileWriter):
    def __init__(self, out: Path) -> None:
        super().__init__(out)
        self.zip = zipfile.ZipFile(self.part, "w", zipfile.ZIP_STORED, allowZip64=True)

    def add_stream(self, name: str, blocks: Iterable[bytes]) -> tuple[str, int]:
        with self.zip.open(_check_name(name), "w", force_zip64=True) as fh:
            return _copy_hashed(blocks, fh.write)

    def add_file(self, name: str, path: Path) -> None:
        self.zip.write(path, arcname=_check_name(name))

    def close(self) -> None:
        self.zip.close()
        super().close()

    def abort(self) -> None:
        self.zip.close()
        super().abort()


def open_writer(out: Path) -> Writer:
    """A writer for OUT: a .tar or .zip file by its suffix, otherwise a folder."""
    suffix = out.suffix.lower()
    if suffix == ".tar":
        return TarWriter(out)
    if suffix == ".zip":
        return ZipWriter(out)
    return FolderWriter(out)


class Reader(ABC):
    """Reads named files out of a finished backup."""

    def __init__(self, source: Path) -> None:
        self.source = source
        self._scratch: tempfile.TemporaryDirectory[str] | None = None

    @abstractmethod
    def exists(self, name: str) -> bool:
        """Whether the backup holds a file of this name."""

    @abstractmethod
    def open(self, name: str) -> IO[bytes]:
        """The named file, open for reading (FileNotFoundError when the backup lacks it)."""

    def local_path(self, name: str) -> Path:
        """`name` as a file on disk (unpacked into a temporary folder when the backup is one file)."""
        if self._scratch is None:
            self._scratch = tempfile.TemporaryDirectory(prefix="dam-restore-")
        target = Path(self._scratch.name) / PurePosixPath(_check_name(name)).name
        with self.open(name) as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        return target

    def close(self) -> None:
        if self._scratch is not None:
            self._scratch.cleanup()

    def __enter__(self) -> Reader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class FolderReader(Reader):
    def exists(self, name: str) -> bool:
        return (self.source / _check_name(name)).is_file()

    def open(self, name: str) -> IO[bytes]:
        return open(self.source / _check_name(name), "rb")

    def local_path(self, name: str) -> Path:
        return self.source / _check_name(name)


class TarReader(Reader):
    def __init__(self, source: Path) -> None:
        super().__init__(source)
        self.tar = tarfile.open(source, "r:")  # noqa: SIM115 - closed in close
        self.members = {m.name: m for m in self.tar.getmembers() if m.isfile()}

    def exists(self, name: str) -> bool:
        return _check_name(name) in self.members

    def open(self, name: str) -> IO[bytes]:
        member = self.members.get(_check_name(name))
        handle = self.tar.extractfile(member) if member is not None else None
        if handle is None:
            raise FileNotFoundError(name)
        return handle

    def close(self) -> None:
        self.tar.close()
        super().close()


class ZipReader(Reader):
    def __init__(self, source: Path) -> None:
        super().__init__(source)
        self.zip = zipfile.ZipFile(source)
        self.names = set(self.zip.namelist())

    def exists(self, name: str) -> bool:
        return _check_name(name) in self.names

    def open(self, name: str) -> IO[bytes]:
        if _check_name(name) not in self.names:
            raise FileNotFoundError(name)
        return self.zip.open(name)

    def close(self) -> None:
        self.zip.close()
        super().close()


def open_reader(source: Path) -> Reader:
    if source.is_dir():
        return FolderReader(source)
    if not source.is_file():
        raise BackupRefused(f"There is no backup at {source}.")
    if zipfile.is_zipfile(source):
        return ZipReader(source)
    try:
        return TarReader(source)
    except tarfile.TarError:
        raise BackupRefused(f"{source} is neither a backup folder nor a .tar or .zip backup.") from None
