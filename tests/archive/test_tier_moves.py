"""Moving originals between tiers: crashes at every step, a full or unwritable tier, a job run twice, a retry,
and a restore while the move is still running. After each, the asset's bytes are readable where its record says."""
from __future__ import annotations

import errno
import hashlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from accounts.models import AuditEvent
from archive.models import TierMove
from archive.tier import services, tasks
from assets.models import AssetVersion, StorageTier
from assets.originals import open_original
from tests.archive.test_tier import PHOTO, archive_dir, photo_asset  # noqa: F401 - fixture
from tests.factories import new_revision
from workflows.models import Notification


class Crash(Exception):
    """A worker dying between two steps."""


def queue_archive(asset, actor, capture):
    """Archive the asset; the move is queued but not run (the test runs it)."""
    from archive.services import asset_archive
    with capture():
        asset_archive(asset=asset, actor=actor)


def originals_readable(asset) -> None:
    for version in AssetVersion.objects.filter(asset=asset):
        with open_original(version) as fh:
            assert hashlib.sha256(fh.read()).hexdigest() == version.sha256, (version.number, version.storage_tier)


def crash_at(monkeypatch, point: str, times: int = 1) -> None:
    left = {"n": times}

    def step(name, version):
        if name == point and left["n"]:
            left["n"] -= 1
            raise Crash(point)
    monkeypatch.setattr(services, "_step", step)


@pytest.mark.parametrize("point", ["copied", "verified", "switched", "deleted"])
def test_a_crash_at_any_step_leaves_the_bytes_where_the_record_says_and_the_move_resumes(
        point, people, archive_dir, media_in_tmp, monkeypatch, django_capture_on_commit_callbacks):  # noqa: F811
    asset = photo_asset(people)
    new_revision(asset, people["editor"])
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    crash_at(monkeypatch, point)
    with pytest.raises(Crash):
        services.tier_move(asset_id=asset.pk)
    originals_readable(asset)
    assert TierMove.objects.get(asset=asset).state == TierMove.State.MOVING
    # The dead job's claim holds until its lease runs out: a second job does nothing meanwhile.
    assert services.tier_move(asset_id=asset.pk) is None
    TierMove.objects.filter(asset=asset).update(started_at=timezone.now() - services.LEASE - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.tier_moves_resume() == 1  # the schedule's job queues it again, and it runs
    move = TierMove.objects.get(asset=asset)
    assert move.state == TierMove.State.DONE and move.attempts == 2
    for version in AssetVersion.objects.filter(asset=asset):
        assert version.storage_tier == StorageTier.ARCHIVE
        assert (archive_dir / version.file.name).exists() and not (media_in_tmp / version.file.name).exists()
    originals_readable(asset)


def test_a_partial_copy_from_an_interrupted_attempt_is_replaced(people, archive_dir, media_in_tmp,  # noqa: F811
                                                                django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    version = asset.versions.get()
    partial = archive_dir / version.file.name
    partial.parent.mkdir(parents=True)
    partial.write_bytes(PHOTO.read_bytes()[:1000])  # a copy cut off by a crash
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    assert services.tier_move(asset_id=asset.pk).state == TierMove.State.DONE
    assert partial.read_bytes() == PHOTO.read_bytes()
    originals_readable(asset)


def fill_up(monkeypatch, exc: OSError):
    """The archive tier's disk: writes part of the file, then fails as a full or unwritable disk does."""
    storage = storages["archive"]

    def save(name, content):
        path = Path(storage.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.read(4096))
        raise exc
    monkeypatch.setattr(storage, "_save", save)


@pytest.mark.parametrize(("error", "sentence"), [
    (OSError(errno.ENOSPC, "No space left on device"),
     "The archive tier is full (no space left for the originals)."),
    (PermissionError(errno.EACCES, "Permission denied"), "The archive tier cannot be written (permission denied)."),
])
def test_a_full_or_unwritable_tier_leaves_the_asset_where_it_was(error, sentence, api, web, people, archive_dir,  # noqa: F811
                                                                media_in_tmp, monkeypatch,
                                                                django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    version = asset.versions.get()
    fill_up(monkeypatch, error)
    with django_capture_on_commit_callbacks(execute=True):
        assert api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json").status_code == 200
    version.refresh_from_db()
    assert version.storage_tier == StorageTier.PRIMARY and (media_in_tmp / version.file.name).exists()
    assert not (archive_dir / version.file.name).exists()  # the partial copy was removed
    move = TierMove.objects.get(asset=asset)
    assert (move.state, move.reason) == (TierMove.State.FAILED, sentence)
    assert AuditEvent.objects.filter(verb="archive.tier.move_failed", data__reason=sentence).count() == 1
    note = Notification.objects.get(recipient=people["librarian"], verb="archive.tier.move_failed")
    assert note.message.startswith(f"The originals of “{asset.title}” could not be moved to the archive tier: "
                                   f"{sentence[:1].lower()}{sentence[1:]}")
    assert note.url == asset.get_absolute_url()
    originals_readable(asset)

    shown = (f"Could not move the originals to the archive tier: {sentence[:1].lower()}{sentence[1:]} "
             "They are still in the primary storage.")
    assert api["librarian"].get(f"/api/v1/assets/{asset.uid}/tier/").json()["message"] == shown
    page = web("librarian").get(asset.get_absolute_url()).content.decode()
    assert shown in page and f'action="/archive/{asset.uid}/tier/retry/"' in page
    retry_form = page.split(f'action="/archive/{asset.uid}/tier/retry/"', 1)[1].split("</form>", 1)[0]
    assert 'name="csrfmiddlewaretoken"' in retry_form  # the form works in a browser, which sends the token
    listing = web("librarian").get("/archive/").content.decode()
    assert shown in listing and ">Retry</button>" in listing

    # The disk has room again: Retry moves them.
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        retried = web("librarian").post(f"/archive/{asset.uid}/tier/retry/", {"next": "/archive/"})
    assert retried.status_code == 302 and retried["Location"] == "/archive/"
    version.refresh_from_db()
    assert version.storage_tier == StorageTier.ARCHIVE and not (media_in_tmp / version.file.name).exists()
    assert "Originals in the archive tier since" in web("librarian").get("/archive/").content.decode()


def test_retry_over_the_api_and_who_may(api, people, archive_dir, monkeypatch,  # noqa: F811
                                        django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    fill_up(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    url = f"/api/v1/assets/{asset.uid}/tier/retry/"
    assert api["editor"].post(url).status_code == 403
    assert api["viewer"].post(url).status_code == 404
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        answer = api["brand_manager"].post(url)
    assert answer.status_code == 202
    assert api["brand_manager"].get(f"/api/v1/assets/{asset.uid}/tier/").json()["tier"] == "archive"
    again = api["brand_manager"].post(url)
    assert again.status_code == 409 and "Nothing to retry" in again.json()["detail"]


def test_a_job_run_twice_does_nothing_twice(people, archive_dir, monkeypatch,  # noqa: F811
                                            django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    assert tasks.tier_move_task(asset.pk) == "done"
    version = asset.versions.get()
    stored = archive_dir / version.file.name
    before = stored.stat().st_mtime_ns
    copies = []
    monkeypatch.setattr(services, "_move_version", lambda *args: copies.append(args))
    assert tasks.tier_move_task(asset.pk) == "nothing to do"
    assert copies == [] and stored.stat().st_mtime_ns == before
    assert AuditEvent.objects.filter(verb="archive.tier.moved").count() == 1
    assert TierMove.objects.get(asset=asset).attempts == 1


def test_restoring_while_the_move_runs_turns_the_running_job_around(people, archive_dir, media_in_tmp,  # noqa: F811
                                                                   monkeypatch, django_capture_on_commit_callbacks):
    from archive.services import asset_restore
    asset = photo_asset(people)
    new_revision(asset, people["editor"])
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    seen = []

    def step(name, version):
        seen.append((name, version.number))
        if (name, version.number) == ("copied", 2):  # v1 is in the archive already, v2 half way
            with django_capture_on_commit_callbacks() as queued:
                asset_restore(asset=asset, actor=people["librarian"])
            assert queued == []  # no second job: the running one follows the new target
    monkeypatch.setattr(services, "_step", step)
    move = services.tier_move(asset_id=asset.pk)
    assert ("copied", 2) in seen and ("switched", 2) not in seen  # v2's copy was never switched to
    assert (move.state, move.target) == (TierMove.State.DONE, StorageTier.PRIMARY)
    for version in AssetVersion.objects.filter(asset=asset):
        assert version.storage_tier == StorageTier.PRIMARY
        assert (media_in_tmp / version.file.name).exists() and not (archive_dir / version.file.name).exists()
    originals_readable(asset)


def test_a_damaged_original_is_not_moved(people, archive_dir, media_in_tmp,  # noqa: F811
                                         django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    version = asset.versions.get()
    original = media_in_tmp / version.file.name
    damaged = bytearray(original.read_bytes())
    damaged[5000] ^= 0xFF
    original.write_bytes(bytes(damaged))
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    move = services.tier_move(asset_id=asset.pk)
    assert move.state == TierMove.State.FAILED
    assert move.reason == ("The original of v1 no longer matches its recorded checksum (it may be damaged: run "
                           "fixity_check); it was left where it was.")
    version.refresh_from_db()
    assert version.storage_tier == StorageTier.PRIMARY and not (archive_dir / version.file.name).exists()


def test_the_resume_schedule_exists_and_finds_lost_jobs(people, archive_dir, django_capture_on_commit_callbacks):  # noqa: F811
    from django_q.models import Schedule
    assert Schedule.objects.filter(func="archive.tier.tasks.tier_resume_task", minutes=10).exists()
    asset = photo_asset(people)
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)  # its job never ran
    assert tasks.tier_resume_task() == 0  # queued a moment ago: its job may still come
    TierMove.objects.filter(asset=asset).update(queued_at=timezone.now() - services.LOST_AFTER - timedelta(seconds=1))
    with django_capture_on_commit_callbacks() as jobs:
        assert tasks.tier_resume_task() == 1
        assert tasks.tier_resume_task() == 0  # queued again just now: not twice
    for job in jobs:
        job()
    assert asset.versions.get().storage_tier == StorageTier.ARCHIVE


def test_restoring_an_asset_whose_move_failed_clears_the_failure_without_a_job(api, web, people, archive_dir,  # noqa: F811
                                                                              monkeypatch,
                                                                              django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    fill_up(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    assert TierMove.objects.get(asset=asset).state == TierMove.State.FAILED
    queued = []
    monkeypatch.setattr(services, "_enqueue", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/restore/")
    assert queued == []
    move = TierMove.objects.get(asset=asset)
    assert (move.state, move.target, move.reason) == (TierMove.State.DONE, StorageTier.PRIMARY, "")
    assert "Could not move" not in web("librarian").get(asset.get_absolute_url()).content.decode()


def test_the_tier_moves_command_lists_failures_and_retries_them(people, archive_dir, monkeypatch,  # noqa: F811
                                                                django_capture_on_commit_callbacks):
    from io import StringIO

    from django.core.management import call_command
    asset = photo_asset(people)
    fill_up(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    services.tier_move(asset_id=asset.pk)
    out = StringIO()
    with pytest.raises(SystemExit) as exited:
        call_command("tier_moves", stdout=out)
    assert exited.value.code == 1
    assert (f"{asset.uid}  failed  to the archive tier  “{asset.title}”: The archive tier is full (no space left "
            "for the originals).") in out.getvalue()
    assert "1 move(s) not done, 1 failed." in out.getvalue()
    monkeypatch.undo()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("tier_moves", "--retry-failed", stdout=out)
    assert "1 failed move(s) queued again." in out.getvalue()
    assert f"{asset.uid}  queued  to the archive tier  “{asset.title}”\n" in out.getvalue()  # its job runs after
    assert asset.versions.get().storage_tier == StorageTier.ARCHIVE


def test_retry_from_the_page_by_role(web, people, archive_dir, monkeypatch,  # noqa: F811
                                     django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    fill_up(monkeypatch, OSError(errno.ENOSPC, "No space left on device"))
    queue_archive(asset, people["librarian"], django_capture_on_commit_callbacks)
    services.tier_move(asset_id=asset.pk)
    url = f"/archive/{asset.uid}/tier/retry/"
    assert web("viewer").post(url).status_code == 404  # archived: not theirs to see
    assert web("editor").post(url).status_code == 403
    assert web("editor").get(url).status_code == 405
    assert ">Retry</button>" not in web("editor").get(asset.get_absolute_url()).content.decode()
    assert TierMove.objects.get(asset=asset).state == TierMove.State.FAILED
    response = web("admin").post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == asset.get_absolute_url()
