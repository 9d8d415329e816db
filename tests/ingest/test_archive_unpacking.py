"""Archives: one with too many files is refused from its directory, before any entry is unpacked; a large one
is stored and unpacked by background jobs, each going on where the last stopped, with progress on the batch."""
from __future__ import annotations

import io
import tarfile
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets.models import Asset
from ingest import archives, services
from ingest.models import ArchiveUnpacking, IngestItem
from tests.factories import png_bytes
from tests.ingest.helpers import open_batch, stored_files


def zip_of(count: int, data=lambda i: png_bytes(seed=i)) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for i in range(count):
            archive.writestr(f"folder/file{i:05}.png", data(i))
    return out.getvalue()


def tar_of(count: int) -> bytes:
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for i in range(count):
            info = tarfile.TarInfo(f"empty{i:05}.txt")
            archive.addfile(info, io.BytesIO(b""))
    return out.getvalue()


def send_archive(client, batch_id: int, data: bytes, name: str):
    """Send one archive to a batch; returns the response (201 with items, or 202 with the unpacking)."""
    return client.post(f"/api/v1/batches/{batch_id}/files/", {"file": SimpleUploadedFile(name, data)},
                       format="multipart")


@pytest.fixture
def nothing_unpacked(monkeypatch):
    def stage(*args, **kwargs):
        raise AssertionError("an entry was unpacked")
    monkeypatch.setattr(archives, "_stage", stage)


@pytest.mark.parametrize(("make", "name"), [(lambda n: zip_of(n, data=lambda i: b""), "many.zip"),
                                            (tar_of, "many.tar.gz")])
def test_an_archive_of_too_many_files_is_refused_before_any_is_unpacked(api, settings, nothing_unpacked, make, name):
    settings.DAM_ARCHIVE_MAX_ENTRIES = 200
    data = make(201)
    batch = open_batch(api["editor"])
    response = send_archive(api["editor"], batch["id"], data, name)
    assert response.status_code == 201
    (item,) = response.json()["items"]
    assert item["outcome"] == "rejected" and "201 or more files" in item["reason"] and "at most 200" in item["reason"]
    assert IngestItem.objects.count() == 1 and Asset.objects.count() == 0


def test_a_large_archive_is_unpacked_in_the_background_with_progress(api, web, settings, media_in_tmp,
                                                                      django_capture_on_commit_callbacks):
    settings.DAM_ARCHIVE_INLINE_ENTRIES = 3
    batch = open_batch(api["editor"])
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = send_archive(api["editor"], batch["id"], zip_of(5), "shoot.zip")
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["items"] == [] and body["unpacking"]["entries"] == 5 and body["unpacking"]["state"] == "queued"
    unpacking = ArchiveUnpacking.objects.get()
    assert any("staging/archives/" in str(p) for p in stored_files(settings.STORAGES["default"]["OPTIONS"]["location"]))
    page = web("editor").get(f"/assets/upload/batches/{batch['id']}/").content.decode()
    assert "is being unpacked in the background: 0 of 5 files" in page and 'http-equiv="refresh"' in page

    with django_capture_on_commit_callbacks(execute=True):
        for callback in queued:
            callback()  # the job: unpacks every file
    unpacking.refresh_from_db()
    assert (unpacking.state, unpacking.done, unpacking.key) == ("done", 5, "")
    assert IngestItem.objects.filter(outcome="created").count() == Asset.objects.count() == 5
    assert not any("staging/archives/" in str(p)
                   for p in stored_files(settings.STORAGES["default"]["OPTIONS"]["location"]))
    detail = api["editor"].get(f"/api/v1/batches/{batch['id']}/").json()
    assert detail["unpacking"][0]["state"] == "done" and detail["summary"]["created"] == 5
    page = web("editor").get(f"/assets/upload/batches/{batch['id']}/").content.decode()
    assert "shoot.zip</strong> was unpacked: 5 files" in page and 'http-equiv="refresh"' not in page


def test_each_job_goes_on_where_the_last_stopped(api, settings, monkeypatch, django_capture_on_commit_callbacks):
    settings.DAM_ARCHIVE_INLINE_ENTRIES = 1
    monkeypatch.setattr(services, "UNPACK_SLICE_SECONDS", 0)  # every job stops after one file
    jobs = []
    real = services.archive_unpack
    monkeypatch.setattr(services, "archive_unpack", lambda **kw: jobs.append(kw) or real(**kw))
    batch = open_batch(api["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        send_archive(api["editor"], batch["id"], zip_of(4), "four.zip")
    unpacking = ArchiveUnpacking.objects.get()
    assert (unpacking.state, unpacking.done) == ("done", 4) and len(jobs) == 4
    entries = list(IngestItem.objects.order_by("id").values_list("entry", flat=True))
    assert entries == [f"folder/file{i:05}.png" for i in range(4)]  # each once, in order


def test_a_job_run_twice_after_it_finished_does_nothing(api, settings, django_capture_on_commit_callbacks):
    settings.DAM_ARCHIVE_INLINE_ENTRIES = 1
    batch = open_batch(api["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        send_archive(api["editor"], batch["id"], zip_of(2), "two.zip")
    unpacking = ArchiveUnpacking.objects.get()
    services.archive_unpack(unpacking_id=unpacking.pk)
    assert IngestItem.objects.count() == 2


def test_an_archive_that_breaks_half_way_ends_failed_with_a_sentence(api, settings, monkeypatch,
                                                                     django_capture_on_commit_callbacks):
    settings.DAM_ARCHIVE_INLINE_ENTRIES = 1
    calls = {"n": 0}
    real = services._ingest_one

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError("disk went away")
        return real(*args, **kwargs)
    monkeypatch.setattr(services, "_ingest_one", failing)
    batch = open_batch(api["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        send_archive(api["editor"], batch["id"], zip_of(3), "three.zip")
    unpacking = ArchiveUnpacking.objects.get()
    assert unpacking.state == "failed" and unpacking.key == ""
    assert "after 1 of 3 files" in unpacking.error and "OSError" in unpacking.error
