"""Outages get a sentence and the right status, never a 500, and leave nothing behind: a full disk (507), a file
store that cannot be reached (503 with Retry-After), a database connection lost mid-request (503)."""
from __future__ import annotations

import errno
import os
import subprocess
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.utils import timezone
from PIL import Image

from assets.models import Asset, AssetVersion, Rendition
from assets.services import renditions as jobs
from ingest.models import IngestItem
from tests.factories import CORPUS, png_bytes
from tests.ingest.helpers import stored_files

JPEG = (CORPUS / "real" / "Canon_40D.jpg").read_bytes()


def upload(client, data: bytes = JPEG, name: str = "photo.jpg"):
    return client.post("/api/v1/assets/", {"file": SimpleUploadedFile(name, data)}, format="multipart")


@pytest.fixture
def full_disk(monkeypatch):
    """FileSystemStorage as on a full disk: it writes part of the file, then the disk has no room."""
    def save(self, name, content):
        Path(self.path(name)).parent.mkdir(parents=True, exist_ok=True)
        with open(self.path(name), "wb") as partial:
            partial.write(b"\xff\xd8 the first bytes")
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return monkeypatch


def media(settings) -> list[Path]:
    return [p for p in stored_files(settings.STORAGES["default"]["OPTIONS"]["location"]) if "originals" in p.parts]


def test_a_full_disk_answers_507_keeps_nothing_and_uploads_work_again_after(api, settings, full_disk):
    response = upload(api["editor"])
    assert response.status_code == 507 and response["Content-Type"].startswith("application/json")
    assert "storage is full, so nothing was kept" in response.json()["detail"]
    assert Asset.objects.count() == 0 and media(settings) == []
    item = IngestItem.objects.get()  # the batch still says what became of the file
    assert item.outcome == "rejected" and "storage is full" in item.reason
    full_disk.undo()
    assert upload(api["editor"]).status_code == 201


def test_the_upload_page_says_the_disk_is_full(web, full_disk):
    client = web("editor")
    page = client.get("/assets/upload/")
    collection = page.context["form"].fields["collection"].queryset.first().pk
    response = client.post("/assets/upload/", {"collection": collection, "on_duplicate": "report",
                                               "file": SimpleUploadedFile("photo.jpg", JPEG)})
    assert response.status_code == 400 and "storage is full" in response.content.decode()


def test_a_store_that_cannot_be_reached_answers_503_with_retry_after(api, monkeypatch):
    def save(self, name, content):
        raise EndpointConnectionError(endpoint_url="http://s3.invalid")
    monkeypatch.setattr(FileSystemStorage, "_save", save)
    response = upload(api["editor"])
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "cannot be reached just now" in response.json()["detail"] and Asset.objects.count() == 0


def test_a_rendition_job_on_a_full_disk_waits_and_runs_again_once_there_is_room(people, api, monkeypatch,
                                                                               django_capture_on_commit_callbacks):
    from assets import renditions

    real_save = renditions.save_atomically

    def no_room(name, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(renditions, "save_atomically", no_room)
    with django_capture_on_commit_callbacks(execute=True):
        body = upload(api["editor"]).json()  # its rendition job runs, and finds no room
    rows = list(Rendition.objects.all())
    assert {(r.status, r.attempts, r.started_at) for r in rows} == {("pending", 0, None)}
    assert all(r.error.startswith("Waiting for room to store it: The DAM's storage is full") for r in rows)
    page = api["editor"].get(f"/api/v1/assets/{body['uid']}/").json()
    assert "Waiting for room" in page["renditions"]["thumb"]["error"]

    monkeypatch.setattr(renditions, "save_atomically", real_save)  # room again
    assert jobs.renditions_recover() == []  # not yet: it waits a minute between tries
    Rendition.objects.update(updated_at=timezone.now() - jobs.WAIT_FOR_STORAGE - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert jobs.renditions_recover() == [AssetVersion.objects.get().pk]
    assert {(r.status, r.error) for r in Rendition.objects.all()} == {("ready", "")}


def test_a_lost_database_connection_answers_503_not_500(api, web, monkeypatch):
    from assets import selectors

    def lost(*args, **kwargs):
        raise OperationalError("terminating connection due to administrator command")
    monkeypatch.setattr(selectors, "dashboard_counts", lost)
    monkeypatch.setattr(selectors, "collections_visible_to", lost)
    response = api["editor"].get("/api/v1/collections/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "lost its database connection" in response.json()["detail"]
    page = web("editor").get("/")
    assert page.status_code == 503 and "nothing was saved" in page.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="terminates a PostgreSQL connection")
def test_a_terminated_postgresql_connection_answers_503(api, monkeypatch):
    from assets import selectors

    real = selectors.collections_visible_to

    def killed_mid_request(user):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real(user)
    monkeypatch.setattr(selectors, "collections_visible_to", killed_mid_request)
    response = api["editor"].get("/api/v1/collections/")
    assert response.status_code == 503 and "lost its database connection" in response.json()["detail"]


@pytest.fixture
def tiny_disk(settings, tmp_path):
    """A real filesystem of 2 MB for the stored files (tmpfs; needs root, as CI has)."""
    mount = tmp_path / f"tiny-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],  # noqa: S603,S607
                                           capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small filesystem here (needs root)")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                                          "OPTIONS": {"location": mount, "base_url": None}}}
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S603,S607


def noise_png(size: int) -> bytes:
    import io
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, "PNG", compress_level=0)
    return out.getvalue()


def test_a_real_full_filesystem(api, tiny_disk):
    big = noise_png(1000)  # ~3 MB: more than the disk holds
    response = upload(api["editor"], big, "big.png")
    assert response.status_code == 507, response.content[:200]
    assert [p for p in tiny_disk.rglob("*") if p.is_file()] == []  # not even a partial file
    assert upload(api["editor"], png_bytes(), "small.png").status_code == 201
