"""A real qcluster whose worker is killed while it makes renditions (as a crash in libvips, libheif or FFmpeg
kills it): the job runs again at once on a new worker, and after three deaths the renditions end failed with
the reason; the cluster lives throughout."""
from __future__ import annotations

import contextlib
import io
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from tests.assets.test_workers_and_s3 import MANAGE, ROOT, qcluster, worker_database, worker_env  # noqa: F401

Row = tuple[str, str, int, str, str]  # preset, status, attempts, worker, error


_connections: dict[str, Any] = {}


def rows(url: str, filename: str) -> list[Row]:
    """The file's renditions as the worker left them. One connection per database, kept: the test polls every
    20 ms, and a new PostgreSQL connection per poll on a loaded machine could miss a worker's whole turn."""
    query = ("SELECT r.preset, r.status, r.attempts, r.worker, r.error FROM assets_rendition r "
             "JOIN assets_assetversion v ON v.id = r.version_id WHERE v.original_filename = %s ORDER BY r.preset")
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return db.execute(query.replace("%s", "?"), (filename,)).fetchall()
    import psycopg
    if url not in _connections or _connections[url].closed:
        _connections[url] = psycopg.connect(url, autocommit=True)
    return _connections[url].execute(query, (filename,)).fetchall()


def big_png(folder: Path, name: str, colour: tuple[int, int, int]) -> None:
    """A picture whose renditions take long enough (about a second) to kill the worker while it decodes."""
    folder.mkdir()
    out = io.BytesIO()
    Image.new("RGB", (16000, 11000), colour).save(out, "PNG", compress_level=1)
    (folder / name).write_bytes(out.getvalue())


def kill_its_worker_once_begun(url: str, filename: str, killed: set[str], seconds: float = 180) -> list[Row]:
    """SIGSEGV to the worker making the file's renditions, once it has begun; fails the test, with the rows as
    they were, when none began in time (generous: a cluster on a machine running two suites starts slowly).
    A worker already killed may still be named until the sentinel has seen it die: it is not killed again."""
    deadline = time.monotonic() + seconds
    found: list[Row] = []
    while time.monotonic() < deadline:
        found = rows(url, filename)
        busy = {worker for _, status, _, worker, _ in found if status == "pending" and worker} - killed
        if busy:
            worker = busy.pop()
            killed.add(worker)
            os.kill(int(worker.rsplit(":", 1)[1]), signal.SIGSEGV)
            return found
        time.sleep(0.02)
    pytest.fail(f"no worker began {filename} in {seconds:g} s; its renditions: {found}")


@contextlib.contextmanager
def importing(env: dict[str, str], folder: Path) -> Iterator[None]:
    """import_assets in the background: the worker may take the file's job (and, on an idle machine, finish it)
    while the import process is still winding down, so the test watches from before the import, not after."""
    process = subprocess.Popen([*MANAGE, "import_assets", str(folder), "-v0"],  # noqa: S603
                               env=env, cwd=ROOT)
    try:
        yield
    finally:
        assert process.wait(timeout=120) == 0, "the import failed"


def settled(url: str, filename: str, seconds: float) -> list[Row]:
    deadline = time.monotonic() + seconds
    while True:
        found = rows(url, filename)
        if not any(status == "pending" for _, status, *_ in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


@pytest.mark.slow
def test_a_job_whose_worker_died_runs_again_at_once_and_fails_after_three_deaths(tmp_path,
                                                                                 worker_database):  # noqa: F811
    env = worker_env(tmp_path, worker_database)
    with qcluster(env) as cluster:
        big_png(tmp_path / "first", "poster.png", (30, 90, 160))
        killed: set[str] = set()
        with importing(env, tmp_path / "first"):
            at_kill = kill_its_worker_once_begun(worker_database, "poster.png", killed)
        # The renditions the killed worker held; on a loaded machine others may be made before or after it.
        held = {preset for preset, status, _, worker, _ in at_kill if status == "pending" and worker in killed}
        # Handed out again by the sentinel at once, not at the broker's retry six minutes later.
        found = settled(worker_database, "poster.png", seconds=90)
        assert {status for _, status, *_ in found} == {"ready"}, found
        assert {preset: attempts for preset, _, attempts, *_ in found} == {
            preset: 2 if preset in held else 1 for preset, *_ in found}, (at_kill, found)

        big_png(tmp_path / "second", "banner.png", (160, 30, 90))
        with importing(env, tmp_path / "second"):
            for _ in range(3):  # a file that kills its worker every time
                kill_its_worker_once_begun(worker_database, "banner.png", killed)
        found = settled(worker_database, "banner.png", seconds=90)
        assert {status for _, status, *_ in found} == {"failed"}, found
        assert all("stopped 3 times without finishing" in error and "signal 11, SIGSEGV" in error
                   for *_, error in found), found
        assert cluster.poll() is None, "the cluster died"
