"""The archive tier with real processes: DAM_ARCHIVE_DIR read from the environment, the move queued on commit
and done by a `qcluster` worker, then brought back the same way."""
from __future__ import annotations

import subprocess
import time

import pytest

from tests.assets.test_workers_and_s3 import MANAGE, ROOT, import_files, qcluster, worker_database, worker_env  # noqa: F401
from tests.factories import CORPUS

ARCHIVE = ("from archive.services import asset_archive; from assets.models import Asset; "
           "asset_archive(asset=Asset.objects.get(), actor=None, reason='worker test')")
RESTORE = ("from archive.services import asset_restore; from assets.models import Asset; "
           "asset_restore(asset=Asset.objects.get(), actor=None)")


def run(env, code):
    subprocess.run([*MANAGE, "shell", "-c", code], env=env, check=True, cwd=ROOT, timeout=120,  # noqa: S603
                   capture_output=True)


def files(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def wait_for(predicate, seconds=150):  # two cores shared: the renditions of the import run first
    deadline = time.monotonic() + seconds
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.2)
    return predicate()


@pytest.mark.slow
def test_a_real_worker_moves_the_originals_and_back(tmp_path, worker_database):  # noqa: F811
    archive = tmp_path / "cold"
    env = worker_env(tmp_path, worker_database, DAM_ARCHIVE_DIR=str(archive))
    media = tmp_path / "data" / "media"
    photos = tmp_path / "in"
    photos.mkdir()
    (photos / "Canon_40D.jpg").write_bytes((CORPUS / "real" / "Canon_40D.jpg").read_bytes())
    import_files(env, photos)
    [original] = [name for name in files(media) if name.startswith("originals/")]
    with qcluster(env):
        run(env, ARCHIVE)
        assert wait_for(lambda: files(archive) == [original]), files(archive)
        assert wait_for(lambda: not (media / original).exists()), "the source was not removed"
        assert (archive / original).read_bytes() == (CORPUS / "real" / "Canon_40D.jpg").read_bytes()
        run(env, RESTORE)
        assert wait_for(lambda: (media / original).exists() and files(archive) == []), files(archive)
    assert (media / original).read_bytes() == (CORPUS / "real" / "Canon_40D.jpg").read_bytes()
