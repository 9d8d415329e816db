"""Nothing stays "processing": a rendition job counts its attempt before it decodes, a job whose worker died runs
again, a job out of attempts ends failed with a sentence, and people who may edit ask for it again."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEvent
from assets import renditions as making
from assets.models import Rendition
from assets.services import renditions as jobs
from tests.factories import make_asset


def jpeg(red: int = 200) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), (red, 120, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def asset(people):
    return make_asset(people["editor"], data=jpeg(), filename="photo.jpg")  # its jobs are queued, not run


@pytest.fixture
def queued(monkeypatch):
    """The versions whose job was queued or handed out again (instead of a broker)."""
    versions: list[int] = []
    monkeypatch.setattr(jobs, "_run_again", lambda version_id, queued=None: versions.append(version_id))
    monkeypatch.setattr(jobs, "queue_renditions", versions.extend)
    return versions


class WorkerDied(BaseException):
    """What a job sees of its worker's death: nothing after this point runs."""


def die_while_decoding(monkeypatch):
    def render_each(version, presets):
        if presets:
            raise WorkerDied
        yield from ()
    monkeypatch.setattr(making, "render_each", render_each)


def states(asset) -> set[tuple[str, int]]:
    return set(Rendition.objects.filter(version__asset=asset).values_list("status", "attempts"))


def test_an_attempt_is_counted_before_decoding_and_a_dead_workers_job_runs_again(asset, monkeypatch, queued):
    die_while_decoding(monkeypatch)
    version = asset.current_version
    with pytest.raises(WorkerDied):
        jobs.renditions_generate(version_id=version.pk)
    rows = list(Rendition.objects.filter(version=version))
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}
    assert {r.worker for r in rows} == {jobs.this_worker()} and all(r.started_at for r in rows)

    # The sentinel saw the worker die of a segfault.
    assert jobs.job_died(worker=jobs.this_worker(), exitcode=-11, timed_out=False) == [version.pk]
    assert queued == [version.pk]
    rows = list(Rendition.objects.filter(version=version))
    assert {(r.status, r.started_at, r.worker) for r in rows} == {("pending", None, "")}
    assert all("crashed the worker (signal 11, SIGSEGV)" in r.error for r in rows)


def test_after_three_deaths_a_rendition_fails_with_the_reason(asset, monkeypatch, queued):
    die_while_decoding(monkeypatch)
    version = asset.current_version
    for _ in range(jobs.MAX_RENDITION_ATTEMPTS):
        with pytest.raises(WorkerDied):
            jobs.renditions_generate(version_id=version.pk)
        jobs.job_died(worker=jobs.this_worker(), exitcode=-9, timed_out=False)
    jobs.renditions_generate(version_id=version.pk)  # the next run finds them out of attempts
    rows = list(Rendition.objects.filter(version=version))
    assert {r.status for r in rows} == {"failed"}
    assert all(r.error.startswith("Preview unavailable: the job that makes it stopped 3 times without finishing.")
               and "killed (signal 9, SIGKILL" in r.error for r in rows)


def test_a_time_limit_is_a_reason_too():
    assert "longer than its time limit (240 s)" in jobs.death_cause(None, timed_out=True)


def test_the_watchdog_runs_again_what_stalled_died_unseen_or_never_began(asset, people, monkeypatch, queued):
    stalled = asset
    dead = make_asset(people["editor"], data=jpeg(red=10), filename="dead.jpg")
    lost = make_asset(people["editor"], data=jpeg(red=90), filename="lost.jpg")
    Rendition.objects.filter(version__asset=stalled).update(
        attempts=1, started_at=timezone.now() - jobs.STALLED_AFTER - timedelta(seconds=1), worker="elsewhere:1")
    gone_pid = 2 ** 22 + 17  # above Linux's pid limit: no process has it
    Rendition.objects.filter(version__asset=dead).update(attempts=1, started_at=timezone.now(),
                                                         worker=f"{jobs.this_worker().split(':')[0]}:{gone_pid}")
    Rendition.objects.filter(version__asset=lost).update(attempts=0, started_at=None)
    lost.current_version.__class__.objects.filter(pk=lost.current_version_id).update(
        created_at=timezone.now() - jobs.UNSTARTED_AFTER - timedelta(minutes=1))
    again = jobs.renditions_recover()
    assert sorted(again) == sorted([stalled.current_version_id, dead.current_version_id, lost.current_version_id])
    assert Rendition.objects.filter(started_at__isnull=False).count() == 0
    assert jobs.renditions_recover() == [lost.current_version_id]  # still never begun: asked again, nothing else


def test_a_job_taken_by_a_cluster_that_died_is_handed_out_again(asset, monkeypatch):
    """The cluster took the job (the ORM broker locked its row) and died before a worker began it: after a
    minute its lock is released, instead of at the broker's retry six minutes later."""
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    monkeypatch.setattr(Conf, "ORM", "default")
    monkeypatch.setattr(jobs.jobs, "wake_pushers", lambda: None)
    version = asset.current_version
    retry = timedelta(seconds=Conf.RETRY)  # the broker locks a job it hands out until now + retry
    row = OrmQ.objects.create(key=Conf.CLUSTER_NAME, lock=timezone.now() - timedelta(seconds=30) + retry,
                              payload=SignedPackage.dumps({"name": f"renditions-{version.pk}", "id": "x"}))
    assert jobs.renditions_recover() == []  # taken half a minute ago: a worker may still begin it
    OrmQ.objects.filter(pk=row.pk).update(lock=timezone.now() - jobs.TAKEN_WITHOUT_START - timedelta(seconds=1)
                                          + retry)
    assert jobs.renditions_recover() == [version.pk]
    row.refresh_from_db()
    assert row.lock <= timezone.now()  # free for the next pusher to take


def test_a_running_job_is_left_alone(asset, queued):
    Rendition.objects.filter(version__asset=asset).update(attempts=1, started_at=timezone.now(),
                                                          worker=jobs.this_worker())  # this process: alive
    assert jobs.renditions_recover() == [] and queued == []


def fail_all(asset):
    Rendition.objects.filter(version__asset=asset).update(
        status="failed", attempts=3, error="Preview unavailable: the decoder crashed the worker (signal 11, SIGSEGV).")


def test_a_failed_rendition_is_shown_and_an_editor_asks_again_from_the_page(asset, web, queued,
                                                                             django_capture_on_commit_callbacks):
    fail_all(asset)
    page = web("editor").get(asset.get_absolute_url()).content.decode()
    assert "3 of the previews could not be made" in page and "signal 11, SIGSEGV" in page and "Try again" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = web("editor").post(f"/assets/{asset.uid}/v1/renditions/retry/")
    assert response.status_code == 302
    assert states(asset) == {("pending", 0)} and queued == [asset.current_version_id]
    assert AuditEvent.objects.filter(verb="assets.renditions.retried").exists()


def test_asking_again_over_the_api_and_who_may(asset, api, queued, django_capture_on_commit_callbacks):
    fail_all(asset)
    url = f"/api/v1/assets/{asset.uid}/renditions/retry/"
    assert api["viewer"].post(url).status_code == 404  # a draft: viewers do not see it
    assert api["contributor"].post(url).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = api["editor"].post(url)
    assert response.status_code == 202
    body = response.json()
    assert body["asked"] == ["preview", "thumb", "web"] and body["renditions"]["thumb"]["status"] == "pending"
    assert body["renditions"]["thumb"]["attempts"] == 0 and queued == [asset.current_version_id]
    detail = api["editor"].get(f"/api/v1/assets/{asset.uid}/").json()
    assert detail["renditions"]["web"]["status"] == "pending"


def test_a_job_handed_out_twice_runs_once(asset, monkeypatch):
    """A second copy of a job finds the renditions begun by a live worker and leaves them to it."""
    version = asset.current_version
    Rendition.objects.filter(version=version).update(attempts=1, started_at=timezone.now(),
                                                     worker=jobs.this_worker())  # being made right now
    decoded = []
    monkeypatch.setattr(making, "render_each", lambda version, presets: decoded.append(presets) or iter(()))
    jobs.renditions_generate(version_id=version.pk)
    assert decoded == [[]] and states(asset) == {("pending", 1)}  # nothing taken over, no attempt counted
