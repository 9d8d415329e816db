"""The fixity page, its API, the asset page's "Last verified" line, and who may see them."""
from __future__ import annotations

import os

import pytest

from archive.fixity import services
from archive.models import FixityRun
from assets.models import AssetVersion
from tests.factories import make_asset

NOT_ADMINS = ["librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"]


@pytest.fixture
def finished_run(people, media_in_tmp):
    intact = make_asset(people["editor"], title="Harbour at dawn", approved=True)
    gone = make_asset(people["editor"], title="Lighthouse")
    os.remove(media_in_tmp / AssetVersion.objects.get(pk=gone.current_version_id).file.name)
    run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    return run, intact, gone


def test_admins_see_the_runs_and_a_runs_problems_with_links_to_the_assets(web, finished_run):
    run, _, gone = finished_run
    page = web("admin").get("/archive/fixity/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Run a check now" in html and "Problems found" in html and "1 missing" in html
    assert "Every original in the store, and untracked objects" in html and "Command line" in html
    detail = web("admin").get(f"/archive/fixity/{run.pk}/")
    html = detail.content.decode()
    assert detail.status_code == 200
    assert "Fixity check found problems: 1 missing (2 originals checked)." in html
    assert f'href="/assets/{gone.uid}/"' in html and "Lighthouse</a> v1" in html
    assert "The file is no longer in the store." in html


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_others_may_not_see_runs_or_start_one(role, web, api, finished_run):
    run, _, _ = finished_run
    client = web(role)
    assert client.get("/archive/fixity/").status_code == 403
    assert client.get(f"/archive/fixity/{run.pk}/").status_code == 404
    assert client.post("/archive/fixity/run/", {}).status_code == 403
    assert api[role].get("/api/v1/fixity-runs/").status_code == 403
    assert api[role].get(f"/api/v1/fixity-runs/{run.pk}/").status_code == 404
    assert api[role].post("/api/v1/fixity-runs/", {}, format="json").status_code == 403
    assert FixityRun.objects.count() == 1


def test_the_sidebar_shows_fixity_to_admins_only(web, people):
    labels = {item["label"] for item in web("admin").get("/archive/fixity/").context["nav"]}
    assert "Fixity" in labels
    assert "Fixity" not in {item["label"] for item in web("librarian").get("/archive/").context["nav"]}


def test_run_a_check_now_queues_the_job_and_shows_the_run(web, people, django_capture_on_commit_callbacks):
    make_asset(people["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        response = web("admin").post("/archive/fixity/run/", {"collection": "", "sample": ""})
    run = FixityRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/archive/fixity/{run.pk}/"
    run.refresh_from_db()  # tests run jobs at once (DAM_SYNC_TASKS)
    assert run.state == "complete" and run.checked == 1 and run.trigger == "person"
    assert run.started_by == people["admin"]
    page = web("admin").get(response["Location"])
    assert "The fixity check has started." in page.content.decode()
    assert "All intact" in page.content.decode()


def test_bad_input_to_run_a_check_now_is_shown_beside_the_field_and_starts_nothing(web):
    response = web("admin").post("/archive/fixity/run/", {"sample": "0", "collection": "99999"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Check at least 1 original, or leave it empty to check them all." in html
    assert "Select a valid choice" in html
    assert FixityRun.objects.count() == 0


def test_a_second_check_while_one_runs_is_refused_in_a_sentence(web, api):
    services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.SCHEDULE)
    page = web("admin").get("/archive/fixity/")
    assert "A check is running" in page.content.decode()
    response = web("admin").post("/archive/fixity/run/", {"sample": ""})
    assert response.status_code == 409 and "A fixity check is already running" in response.content.decode()
    answer = api["admin"].post("/api/v1/fixity-runs/", {}, format="json")
    assert answer.status_code == 409 and "already running" in answer.json()["detail"]
    assert FixityRun.objects.count() == 1


def test_the_api_lists_runs_and_shows_one_with_its_problems(api, finished_run):
    run, _, gone = finished_run
    listed = api["admin"].get("/api/v1/fixity-runs/").json()
    assert listed["count"] == 1
    row = listed["results"][0]
    assert row["id"] == run.pk and row["state"] == "complete" and row["trigger"] == "command"
    assert (row["checked"], row["changed"], row["missing"], row["untracked"]) == (2, 0, 1, 0)
    assert row["summary"] == "Fixity check found problems: 1 missing (2 originals checked)."
    detail = api["admin"].get(f"/api/v1/fixity-runs/{run.pk}/").json()
    assert detail["problems"] == [{"id": detail["problems"][0]["id"], "kind": "missing", "asset": str(gone.uid),
                                   "version": 1, "key": detail["problems"][0]["key"],
                                   "expected": AssetVersion.objects.get(pk=gone.current_version_id).sha256,
                                   "actual": ""}]
    assert detail["problems"][0]["key"].startswith("originals/")
    assert api["admin"].get("/api/v1/fixity-runs/999999/").status_code == 404


def test_the_api_starts_a_run_and_refuses_bad_input(api, people, django_capture_on_commit_callbacks):
    make_asset(people["editor"])
    bad = api["admin"].post("/api/v1/fixity-runs/", {"sample": 0, "collection": 424242}, format="json")
    assert bad.status_code == 400 and set(bad.json()["errors"]) == {"sample", "collection"}
    assert FixityRun.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        started = api["admin"].post("/api/v1/fixity-runs/", {"sample": 5}, format="json")
    assert started.status_code == 202 and started.json()["state"] == "running"
    done = api["admin"].get(f"/api/v1/fixity-runs/{started.json()['id']}/").json()
    assert done["state"] == "complete" and done["checked"] == 1 and done["started_by"] == "admin"


def test_the_asset_page_says_when_its_file_was_last_verified(web, people, media_in_tmp):
    asset = make_asset(people["editor"], title="Harbour", approved=True)
    page = web("viewer").get(f"/assets/{asset.uid}/").content.decode()
    assert "Last verified" in page and "not checked yet" in page
    services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    page = web("viewer").get(f"/assets/{asset.uid}/").content.decode()
    assert "(file intact)" in page
    version = AssetVersion.objects.get(pk=asset.current_version_id)
    (media_in_tmp / version.file.name).write_bytes(b"not the picture")
    services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND)
    page = web("viewer").get(f"/assets/{asset.uid}/").content.decode()
    assert "The stored file has changed" in page and "last intact" in page


def test_a_run_whose_worker_died_does_not_block_run_a_check_now(web, people):
    from datetime import timedelta

    from django.utils import timezone

    dead = services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.SCHEDULE)
    FixityRun.objects.filter(pk=dead.pk).update(heartbeat_at=timezone.now() - timedelta(hours=2))
    page = web("admin").get("/archive/fixity/").content.decode()
    assert "Run a check now</button>" in page and ">Stopped</span>" in page
    response = web("admin").post("/archive/fixity/run/", {"sample": ""})
    assert response.status_code == 302
    dead.refresh_from_db()
    assert dead.state == "incomplete" and "interrupted" in dead.error
