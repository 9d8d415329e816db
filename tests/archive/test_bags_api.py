"""BagIt exports through the API and the screens: who may export what, the job, the download, expiry, restore."""
from __future__ import annotations

import io
import json
import os
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from archive.bags import services
from archive.models import BagExport
from assets.models import Asset
from tests.factories import library, make_asset, make_collection, new_revision

pytestmark = pytest.mark.django_db


def bag_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, response
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def payload(bag: zipfile.ZipFile, suffix: str) -> dict:
    (name,) = [n for n in bag.namelist() if n.endswith(suffix)]
    return json.loads(bag.read(name))


@pytest.fixture
def folder(people):
    collection = make_collection("Press", parent=library())
    approved = make_asset(people["editor"], collection, title="Approved, with a draft on top", approved=True)
    new_revision(approved, people["editor"])
    draft = make_asset(people["editor"], collection, title="Only a draft")
    return {"collection": collection, "approved": approved, "draft": draft}


def test_a_viewer_exports_an_approved_asset_without_its_draft_or_its_history(api, folder,
                                                                            django_capture_on_commit_callbacks):
    asset = folder["approved"]
    with django_capture_on_commit_callbacks(execute=True):
        answer = api["viewer"].post("/api/v1/bags/", {"asset": str(asset.uid)}, format="json")
    assert answer.status_code == 202
    assert answer.data["asset"] == str(asset.uid) and answer.data["state"] in ("queued", "ready")

    job = api["viewer"].get(f"/api/v1/bags/{answer.data['id']}/").data
    assert job["state"] == "ready" and job["done"] == job["total"] == 1 and job["percent"] == 100
    assert job["download_url"].endswith(f"/api/v1/bags/{job['id']}/download/")
    bag = bag_of(api["viewer"].get(f"/api/v1/bags/{job['id']}/download/"))
    record = payload(bag, "asset.json")
    assert [v["number"] for v in record["versions"]] == [1]
    assert record["current_version"] is None and record["approved_version"] == 1
    assert "events" not in record and "reviews" not in record
    assert not any("/v2/" in name for name in bag.namelist())
    assert payload(bag, "bag.json")["history"] is False


def test_a_collection_bag_for_a_viewer_leaves_drafts_out(api, folder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api["viewer"].post("/api/v1/bags/", {"collection": folder["collection"].pk}, format="json")
    bag = bag_of(api["viewer"].get(f"/api/v1/bags/{answer.data['id']}/download/"))
    assert payload(bag, "bag.json")["assets"] == [str(folder["approved"].uid)]
    assert not any(str(folder["draft"].uid) in name for name in bag.namelist())


def test_an_archivist_gets_every_version_and_the_history(api, folder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = api["librarian"].post("/api/v1/bags/", {"collection": folder["collection"].pk}, format="json")
    bag = bag_of(api["librarian"].get(f"/api/v1/bags/{answer.data['id']}/download/"))
    assert sorted(payload(bag, "bag.json")["assets"]) == sorted(str(folder[k].uid) for k in ("approved", "draft"))
    records = [json.loads(bag.read(n)) for n in bag.namelist() if n.endswith("asset.json")]
    approved = next(r for r in records if r["uid"] == str(folder["approved"].uid))
    assert [v["number"] for v in approved["versions"]] == [1, 2] and approved["events"] and approved["reviews"]


def test_a_draft_is_not_exportable_by_a_viewer_and_bad_requests_say_why(api, folder):
    assert api["viewer"].post("/api/v1/bags/", {"asset": str(folder["draft"].uid)}, format="json").status_code == 404
    assert api["outsider"].post("/api/v1/bags/", {"collection": folder["collection"].pk},
                                format="json").status_code == 404
    both = api["viewer"].post("/api/v1/bags/", {"asset": str(folder["approved"].uid),
                                                 "collection": folder["collection"].pk}, format="json")
    assert both.status_code == 400 and "either an asset" in json.dumps(both.data)
    assert api["viewer"].post("/api/v1/bags/", {}, format="json").status_code == 400
    assert api["viewer"].post("/api/v1/bags/", {"asset": "not-a-uid"}, format="json").status_code == 400
    assert not BagExport.objects.exists()


def test_a_job_is_seen_by_its_requester_and_admins_only(api, folder, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = api["editor"].post("/api/v1/bags/", {"asset": str(folder["approved"].uid)}, format="json").data
    for name in ("viewer", "brand_manager"):
        assert api[name].get(f"/api/v1/bags/{job['id']}/").status_code == 404
        assert api[name].get(f"/api/v1/bags/{job['id']}/download/").status_code == 404
    assert api["admin"].get(f"/api/v1/bags/{job['id']}/").status_code == 200
    assert [j["id"] for j in api["editor"].get("/api/v1/bags/").data["results"]] == [job["id"]]
    assert api["viewer"].get("/api/v1/bags/").data["results"] == []


def test_a_bag_not_made_yet_is_409_and_an_expired_one_410_with_its_file_removed(
        api, people, folder, django_capture_on_commit_callbacks):
    queued = services.bag_export_request(actor=people["viewer"], asset=folder["approved"])  # job not run yet
    early = api["viewer"].get(f"/api/v1/bags/{queued.pk}/download/")
    assert early.status_code == 409 and "still being made" in early.data["detail"]

    with django_capture_on_commit_callbacks(execute=True):
        done = services.bag_export_request(actor=people["viewer"], asset=folder["approved"])
    done.refresh_from_db()
    assert default_storage.exists(done.file)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bag_exports_expire(now=timezone.now() + timedelta(days=8)) == 1
    done.refresh_from_db()
    assert done.state == BagExport.State.EXPIRED and not default_storage.exists(done.file or "bags/none")
    gone = api["viewer"].get(f"/api/v1/bags/{done.pk}/download/")
    assert gone.status_code == 410 and "expired" in gone.data["detail"]


def test_an_asset_removed_before_the_job_runs_fails_with_the_reason(people, folder):
    job = services.bag_export_request(actor=people["editor"], asset=folder["draft"])
    Asset.objects.filter(pk=folder["draft"].pk).delete()
    services.bag_export_run(export_id=job.pk)
    job.refresh_from_db()
    assert job.state == BagExport.State.FAILED and "removed before the export ran" in job.error
    assert services.bag_export_run(export_id=job.pk) is None  # run twice: nothing more happens


def test_the_screens_export_list_and_download(web, folder, django_capture_on_commit_callbacks):
    client = web("viewer")
    asset = folder["approved"]
    page = client.get(asset.get_absolute_url())
    assert "Export as BagIt package" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(reverse("archive:bags:export_asset", args=[asset.uid]), follow=True)
    assert "is being made" in answer.content.decode()
    text = client.get(reverse("archive:bags:list")).content.decode()
    assert "Ready" in text and asset.title in text and "Download" in text
    job = BagExport.objects.get()
    assert bag_of(client.get(reverse("archive:bags:download", args=[job.pk]))).testzip() is None
    assert "Export as BagIt package" in client.get(folder["collection"].get_absolute_url()).content.decode()
    assert client.post(reverse("archive:bags:export_asset", args=[folder["draft"].uid])).status_code == 404


def test_only_admins_restore_from_the_screen_and_a_bad_file_is_an_inline_error(web, people, folder, tmp_path,
                                                                               django_capture_on_commit_callbacks):
    assert web("librarian").get(reverse("archive:bags:restore")).status_code == 403
    client = web("admin")
    refused = client.post(reverse("archive:bags:restore"),
                          {"bag": SimpleUploadedFile("holiday.zip", b"PK not really a zip")})
    assert refused.status_code == 200 and "holiday.zip is not a zip archive" in refused.content.decode()

    out = tmp_path / "press.zip"
    services.bag_export_to_file(out, collection=folder["collection"])
    Asset.objects.filter(pk=folder["draft"].pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        clash = client.post(reverse("archive:bags:restore"),
                            {"bag": SimpleUploadedFile("press.zip", out.read_bytes())})
    assert clash.status_code == 200 and "already exists here" in clash.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(reverse("archive:bags:restore"),
                           {"bag": SimpleUploadedFile("press.zip", out.read_bytes()), "replace": "on"}, follow=True)
    assert "Restored 2 assets" in done.content.decode()
    assert Asset.objects.filter(uid=folder["draft"].uid).exists()


def test_the_storage_sweep_keeps_bags_and_removes_a_crashed_jobs_leftover(people, folder,
                                                                           django_capture_on_commit_callbacks):
    from assets import sweep

    with django_capture_on_commit_callbacks(execute=True):
        job = services.bag_export_request(actor=people["viewer"], asset=folder["approved"])
    job.refresh_from_db()
    leftover = default_storage.save("bags/0123456789abcdef.zip", io.BytesIO(b"half a zip"))
    old = timezone.now() - timedelta(hours=2)
    for key in (job.file, leftover):
        os.utime(default_storage.path(key), (old.timestamp(), old.timestamp()))
    report = sweep.sweep()
    assert leftover in report.orphans and job.file not in report.orphans
    assert default_storage.exists(job.file) and not default_storage.exists(leftover)


def test_an_original_missing_from_the_store_fails_the_job_with_a_sentence_and_the_command_too(
        api, people, folder, tmp_path, django_capture_on_commit_callbacks):
    from django.core.management import CommandError, call_command

    default_storage.delete(folder["approved"].approved_version.file.name)
    with django_capture_on_commit_callbacks(execute=True):
        job = api["viewer"].post("/api/v1/bags/", {"asset": str(folder["approved"].uid)}, format="json").data
    shown = api["viewer"].get(f"/api/v1/bags/{job['id']}/").data
    assert shown["state"] == "failed" and shown["download_url"] is None
    assert "version 1 is missing from the file store" in shown["error"] and "/" not in shown["error"].split("store")[0]
    assert BagExport.objects.get(pk=job["id"]).file == ""
    with pytest.raises(CommandError, match="No bag was written: the original of"):
        call_command("export_bag", str(folder["approved"].uid), str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


def test_a_job_handed_out_twice_runs_once_and_one_whose_worker_died_is_failed_within_the_hour(people, folder):
    job = services.bag_export_request(actor=people["viewer"], asset=folder["approved"])
    BagExport.objects.filter(pk=job.pk).update(state=BagExport.State.RUNNING, started_at=timezone.now())
    assert services.bag_export_run(export_id=job.pk) is None  # the first run is still at work
    services.bag_exports_expire()
    assert BagExport.objects.get(pk=job.pk).state == BagExport.State.RUNNING

    BagExport.objects.filter(pk=job.pk).update(started_at=timezone.now() - timedelta(hours=2))
    services.bag_exports_expire()
    job.refresh_from_db()
    assert job.state == BagExport.State.FAILED and "stopped before it finished" in job.error
