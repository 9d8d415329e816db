"""Fixity on local storage: changed, missing and untracked originals; incomplete runs; the command;
sampling; notifications; who may see the runs."""
from __future__ import annotations

import io
import json
import os
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from archive.fixity import reading, services
from archive.models import FixityCheck, FixityProblem, FixityRun
from assets.models import AssetVersion
from tests.factories import CORPUS, make_asset, make_collection, new_revision
from workflows.models import Notification

CANON = (CORPUS / "real" / "Canon_40D.jpg").read_bytes()


def stored(media, asset) -> os.PathLike:
    return media / AssetVersion.objects.get(pk=asset.current_version_id).file.name


def flip_a_byte(path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def stray(media, name="0123456789abcdef0123456789abcdef", age=timedelta(hours=2)):
    path = media / "originals" / name[:2] / name[2:4] / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"left behind")
    then = time.time() - age.total_seconds()
    os.utime(path, (then, then))
    return f"originals/{name[:2]}/{name[2:4]}/{name}"


def run_command(*args):
    out = io.StringIO()
    try:
        call_command("fixity_check", *args, stdout=out)
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def three(people):
    return [make_asset(people["editor"], title=f"Photo {i}") for i in range(3)]


def test_an_intact_store_is_a_complete_run_with_nothing_wrong(three, people, media_in_tmp):
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert run.state == FixityRun.State.COMPLETE and run.finished_at is not None
    assert (run.checked, run.changed, run.missing, run.untracked) == (3, 0, 0, 0)
    assert run.bytes_read == sum(v.size for v in AssetVersion.objects.all())
    assert FixityCheck.objects.filter(outcome="ok", verified_at__isnull=False).count() == 3
    assert services.summary(run) == "Fixity check complete: 3 originals checked, all intact."
    assert not Notification.objects.exists()
    assert AuditEvent.objects.filter(verb="archive.fixity.finished", data__state="complete").count() == 1


def test_a_changed_byte_a_deleted_file_and_a_stray_file_are_each_reported(three, people, media_in_tmp):
    changed, missing, fine = three
    flip_a_byte(stored(media_in_tmp, changed))
    os.remove(stored(media_in_tmp, missing))
    key = stray(media_in_tmp)
    stray(media_in_tmp, "fedcba9876543210fedcba9876543210", age=timedelta(minutes=1))  # an upload in flight

    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)

    assert run.state == FixityRun.State.COMPLETE
    assert (run.checked, run.changed, run.missing, run.untracked) == (3, 1, 1, 1)
    problems = {p.kind: p for p in run.problems.all()}
    version = AssetVersion.objects.get(pk=changed.current_version_id)
    assert problems["changed"].version == version and problems["changed"].expected == version.sha256
    assert len(problems["changed"].actual) == 64 and problems["changed"].actual != version.sha256
    assert problems["missing"].version_id == missing.current_version_id
    assert problems["untracked"].key == key and problems["untracked"].version is None
    assert FixityCheck.objects.get(version_id=fine.current_version_id).outcome == "ok"
    assert FixityCheck.objects.get(version_id=changed.current_version_id).verified_at is None
    assert services.summary(run) == ("Fixity check found problems: 1 changed, 1 missing, 1 untracked "
                                     "(3 originals checked).")


def test_every_version_is_read_not_only_the_current_one(people, media_in_tmp):
    asset = make_asset(people["editor"])
    first = AssetVersion.objects.get(pk=asset.current_version_id)
    new_revision(asset, None)
    flip_a_byte(media_in_tmp / first.file.name)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert run.checked == 2 and run.problems.get().version == first


def test_a_store_that_fails_half_way_leaves_an_incomplete_run_never_all_good(three, monkeypatch, people):
    real = reading.sha256_of
    calls = []

    def failing(storage, name):
        calls.append(name)
        if len(calls) == 2:
            raise reading.StoreError(f"Reading {name} failed: Input/output error.")
        return real(storage, name)

    monkeypatch.setattr(reading, "sha256_of", failing)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)

    assert run.state == FixityRun.State.INCOMPLETE and run.finished_at is not None
    assert run.checked == 1
    assert "Input/output error" in run.error and "were not checked" in run.error
    assert services.summary(run).startswith("Fixity check incomplete: 1 original checked before it stopped.")
    note = Notification.objects.get(recipient=people["admin"])
    assert note.message.startswith("Fixity check incomplete") and note.url == run.get_absolute_url()
    assert not Notification.objects.exclude(recipient=people["admin"]).exists()


def test_an_os_error_while_reading_is_a_store_error_and_a_vanished_file_is_missing(tmp_path):
    from django.core.files.storage import FileSystemStorage

    storage = FileSystemStorage(location=tmp_path)
    (tmp_path / "folder").mkdir()
    with pytest.raises(FileNotFoundError):
        reading.sha256_of(storage, "gone")
    with pytest.raises(reading.StoreError, match="Reading folder failed"):
        reading.sha256_of(storage, "folder")  # a directory: IsADirectoryError is not "missing"


def test_problems_notify_the_admins_with_a_sentence_and_a_link(three, people, media_in_tmp, mailoutbox,
                                                              django_capture_on_commit_callbacks):
    os.remove(stored(media_in_tmp, three[0]))
    people["admin"].email = "alice@example.org"
    people["admin"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    note = Notification.objects.get()
    assert note.recipient == people["admin"] and note.verb == "archive.fixity.complete"
    assert note.message == "Fixity check found problems: 1 missing (3 originals checked)."
    assert note.url == f"/archive/fixity/{run.pk}/"
    assert [m.to for m in mailoutbox] == [["alice@example.org"]]


def test_a_sample_checks_the_least_recently_checked_first(people):
    assets = [make_asset(people["editor"]) for _ in range(5)]
    ids = [a.current_version_id for a in assets]
    first = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND, sample=2)
    assert first.checked == 2 and first.scope.startswith("The 2 least recently checked originals")
    assert first.state == FixityRun.State.COMPLETE and first.everything is False
    once = set(FixityCheck.objects.values_list("version_id", flat=True))
    assert len(once) == 2
    second = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND, sample=3)
    # The three never checked come before the two checked a moment ago.
    assert set(FixityCheck.objects.filter(run=second).values_list("version_id", flat=True)) == set(ids) - once
    third = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND, sample=2)
    assert set(FixityCheck.objects.filter(run=third).values_list("version_id", flat=True)) == once


def test_a_folder_run_reads_only_that_folder_and_below_and_does_not_look_for_strays(people, media_in_tmp):
    campaigns = make_collection("Campaigns")
    spring = make_collection("Spring", parent=campaigns)
    inside = make_asset(people["editor"], spring)
    make_asset(people["editor"])
    stray(media_in_tmp)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND, collection=campaigns)
    assert run.checked == 1 and run.untracked == 0 and run.everything is False
    assert FixityCheck.objects.get().version_id == inside.current_version_id
    assert run.scope == "Every original in “Campaigns” and its sub-folders"


def test_one_run_at_a_time_and_a_cut_off_run_is_closed_as_incomplete(people):
    from dam.errors import StateConflict

    make_asset(people["editor"])
    run = services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.SCHEDULE)
    with pytest.raises(StateConflict, match="already running"):
        services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.COMMAND)
    FixityRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    again = services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.COMMAND)
    run.refresh_from_db()
    assert run.state == FixityRun.State.INCOMPLETE and "interrupted" in run.error
    assert again.state == FixityRun.State.RUNNING


def test_a_run_goes_on_over_several_slices_and_each_version_is_read_once(people, monkeypatch):
    for _ in range(5):
        make_asset(people["editor"])
    monkeypatch.setattr(services, "BATCH", 2)
    read = []
    real = reading.sha256_of
    monkeypatch.setattr(reading, "sha256_of", lambda s, n: (read.append(n), real(s, n))[1])
    run = services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.SCHEDULE)
    slices = 0
    while not services.fixity_run_continue(run_id=run.pk, budget=0):  # one original per slice
        slices += 1
    run.refresh_from_db()
    assert slices == 5 and run.checked == 5 and len(set(read)) == len(read) == 5
    assert run.state == FixityRun.State.COMPLETE
    assert services.fixity_run_continue(run_id=run.pk, budget=0) is True  # a job run twice does nothing


# --- the command ---------------------------------------------------------------------------------

def test_the_command_exits_0_when_all_is_intact_and_1_with_problems_as_json(three, media_in_tmp):
    code, out = run_command()
    assert code == 0 and out.strip().endswith("3 originals checked, all intact.")

    flip_a_byte(stored(media_in_tmp, three[0]))
    os.remove(stored(media_in_tmp, three[1]))
    key = stray(media_in_tmp)
    code, out = run_command("--json")
    assert code == 1
    body = json.loads(out)
    assert body["checked"] == 3
    assert body["changed"] == [str(three[0].uid)] and body["missing"] == [str(three[1].uid)]
    assert body["untracked"] == [key] and body["state"] == "complete"

    code, out = run_command()
    assert code == 1
    assert f"changed    asset {three[0].uid} v1" in out and f"missing    asset {three[1].uid} v1" in out
    assert f"untracked  {key}" in out


def test_the_command_exits_2_when_the_store_fails(three, monkeypatch):
    def broken(storage, name):
        raise reading.StoreError("The store could not be reached while reading it: connection refused.")

    monkeypatch.setattr(reading, "sha256_of", broken)
    code, out = run_command("--json")
    assert code == 2
    body = json.loads(out)
    assert body["state"] == "incomplete" and body["checked"] == 0 and "connection refused" in body["error"]


def test_the_command_takes_a_folder_and_a_sample_and_refuses_bad_ones(people):
    from django.core.management.base import CommandError

    spring = make_collection("Spring", parent=make_collection("Campaigns"))
    make_asset(people["editor"], spring)
    make_asset(people["editor"])
    assert json.loads(run_command("--collection", "Campaigns/spring", "--json")[1])["checked"] == 1
    assert json.loads(run_command("--collection", str(spring.pk), "--json")[1])["checked"] == 1
    assert json.loads(run_command("--sample", "1", "--json")[1])["checked"] == 1
    with pytest.raises(CommandError, match="No collection 'Nowhere'"):
        call_command("fixity_check", "--collection", "Nowhere")
    for bad in ("0", "-3", "many"):
        with pytest.raises(CommandError, match="--sample takes a whole number"):
            call_command("fixity_check", "--sample", bad)
    assert FixityRun.objects.count() == 3  # the refused ones started nothing


def test_the_weekly_schedule_exists_and_its_task_runs_a_whole_check(people, media_in_tmp):
    from django_q.models import Schedule

    from archive.fixity import tasks

    schedule = Schedule.objects.get(name="archive-fixity-weekly")
    assert schedule.func == "archive.fixity.tasks.fixity_scheduled_task" and schedule.schedule_type == "W"
    assert schedule.next_run > timezone.now()
    make_asset(people["editor"])
    run_id = tasks.fixity_scheduled_task()
    run = FixityRun.objects.get(pk=run_id)
    assert run.trigger == "schedule" and run.everything
    assert tasks.fixity_continue_task(run_id) is True
    run.refresh_from_db()
    assert run.state == "complete" and run.checked == 1
    assert FixityProblem.objects.count() == 0


def test_an_unexpected_failure_still_ends_the_run_incomplete_and_says_so(three, monkeypatch, people, caplog):
    real = reading.sha256_of
    calls = []

    def broken(storage, name):
        calls.append(name)
        if len(calls) == 3:
            raise KeyError("oops")
        return real(storage, name)

    monkeypatch.setattr(reading, "sha256_of", broken)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert run.state == FixityRun.State.INCOMPLETE and run.checked == 2  # the two read before are kept
    assert FixityCheck.objects.filter(run=run).count() == 2
    assert run.error.startswith("The check stopped on an unexpected error (KeyError), recorded in the server log")
    assert "Fixity run" in caplog.text and Notification.objects.filter(recipient=people["admin"]).exists()


def test_originals_in_the_archive_tier_are_read_there_and_its_strays_reported(people, media_in_tmp, settings,
                                                                              tmp_path):
    from archive.services import asset_archive
    from archive.tier.services import tier_move

    folder = tmp_path / "archive-tier"
    folder.mkdir()
    settings.STORAGES = {**settings.STORAGES, "archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": folder}}}
    archived = make_asset(people["editor"], title="Old campaign")
    make_asset(people["editor"], title="Still in use")  # its original stays in the primary storage
    asset_archive(asset=archived, actor=None, reason="old campaign")
    tier_move(asset_id=archived.pk)
    assert AssetVersion.objects.get(pk=archived.current_version_id).storage_tier == "archive"
    left_behind = stray(folder)

    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert (run.checked, run.changed, run.missing, run.untracked) == (2, 0, 0, 1), services.summary(run)
    assert list(FixityProblem.objects.values_list("kind", "key")) == [("untracked", left_behind)]
    assert FixityCheck.objects.filter(outcome="ok").count() == 2
    # A byte changed in the archive tier is found there.
    flip_a_byte(folder / AssetVersion.objects.get(pk=archived.current_version_id).file.name)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    assert (run.changed, run.missing) == (1, 0)
