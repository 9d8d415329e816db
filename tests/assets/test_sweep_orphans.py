"""manage.py sweep_orphans: stored files no row points to are listed (--dry-run) and removed once older than an
hour; renditions whose file is missing are made again; missing originals are reported, on the admin dashboard
too; archives waiting to be unpacked are not orphans."""
from __future__ import annotations

import os
import time
from io import StringIO
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django_q.models import Schedule

from assets.models import Rendition, StorageSweep
from ingest.models import ArchiveUnpacking, IngestBatch
from tests.factories import library, make_asset


def age(name: str, hours: float = 2) -> None:
    """Make a stored file look written `hours` ago (the sweep leaves younger ones alone)."""
    path = default_storage.path(name)
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def sweep(*args: str) -> str:
    out = StringIO()
    call_command("sweep_orphans", *args, stdout=out)
    return out.getvalue()


def test_orphans_are_listed_then_removed_and_missing_files_are_dealt_with(people, web):
    kept = make_asset(people["editor"], title="Kept")
    gone = make_asset(people["editor"], title="Original lost")
    orphan = default_storage.save("originals/ab/cd/0123456789abcdef", ContentFile(b"left by a failed upload"))
    young = default_storage.save("originals/ab/cd/fedcba9876543210", ContentFile(b"an upload about to commit"))
    stray_rendition = default_storage.save("renditions/ab/feedface-thumb.jpg", ContentFile(b"jpeg"))
    waiting = default_storage.save("staging/archives/abc123", ContentFile(b"zip"))
    ArchiveUnpacking.objects.create(batch=IngestBatch.objects.create(created_by=people["editor"],
                                                                     collection=library()),
                                    filename="big.zip", key=waiting, mime_type="application/zip", entries=500)
    for name in (orphan, stray_rendition, waiting):
        age(name)
    Path(default_storage.path(gone.current_version.file.name)).unlink()  # a file deleted by hand
    thumb = Rendition.objects.filter(version=kept.current_version, preset="thumb")
    thumb.update(status="ready", file="renditions/zz/missing-thumb.jpg")
    Path(default_storage.path("renditions/zz")).mkdir(parents=True, exist_ok=True)
    age_dir = default_storage.save("renditions/zz/other-thumb.jpg", ContentFile(b"x"))  # the folder exists
    age(age_dir)

    dry = sweep("--dry-run")
    assert f"orphan  {orphan}" in dry and f"orphan  {stray_rendition}" in dry and young not in dry
    assert waiting not in dry and f"missing original of asset {gone.uid}" in dry
    assert "would be removed" in dry and default_storage.exists(orphan) and not StorageSweep.objects.exists()

    done = sweep()
    assert "3 orphan(s) removed" in done  # the orphan original, the stray rendition and the unused one
    assert not default_storage.exists(orphan) and not default_storage.exists(stray_rendition)
    assert default_storage.exists(young) and default_storage.exists(waiting) and default_storage.exists(
        kept.current_version.file.name)
    assert thumb.get().status == "pending"  # its file was missing: made again
    record = StorageSweep.objects.get()
    assert record.removed == 3 and record.missing_originals == [str(gone.uid)] and record.missing_renditions == 1

    page = web("admin").get("/").content.decode()
    assert "Storage check" in page and "is missing from the store" in page
    assert "Storage check" not in web("editor").get("/").content.decode()


def test_the_sweep_runs_every_night_on_the_worker(db):
    schedule = Schedule.objects.get(name="assets-storage-sweep")
    assert schedule.func == "assets.tasks.storage_sweep_task" and schedule.schedule_type == Schedule.DAILY
    from assets.tasks import storage_sweep_task

    assert storage_sweep_task()["removed"] == 0
