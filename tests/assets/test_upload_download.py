"""Ingest of one file and its download, through the API and the UI."""
from __future__ import annotations

import hashlib
import io
import os
from pathlib import Path
from urllib.parse import quote

import pyexiv2
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import AuditEvent
from assets.models import Asset, AssetVersion
from assets.selectors import history_of
from tests.factories import CORPUS, approve_for_test, library, make_asset, new_revision, png_bytes, upload_as


def upload(client, data: bytes, name: str = "photo.png", **fields):
    return client.post("/api/v1/assets/", {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def test_upload_then_download_gives_the_same_picture_and_the_stored_bytes_stay(api, media_in_tmp):
    data = (CORPUS / "real" / "Canon_40D.jpg").read_bytes()
    response = upload(api["contributor"], data, "Canon 40D.jpg", title="Canon")
    assert response.status_code == 201, response.json()
    body = response.json()
    version = body["current_version"]
    assert version["sha256"] == hashlib.sha256(data).hexdigest()
    assert version["size"] == len(data)
    assert version["mime_type"] == "image/jpeg"
    assert (version["width"], version["height"]) == (100, 68)
    assert version["original_filename"] == "Canon 40D.jpg"
    assert body["asset_type"] == "image" and body["collection"] == library().pk

    stored = AssetVersion.objects.get(pk=version["id"]).file.name
    assert "Canon" not in stored and stored.startswith("originals/")  # generated key, not the user's name

    download = api["contributor"].get(f"/api/v1/assets/{body['uid']}/download/")
    assert download.status_code == 200
    sent = b"".join(download.streaming_content)
    # The same picture, with the asset's rights written in (distribution.embedding); the stored file unchanged.
    with Image.open(io.BytesIO(sent)) as got, Image.open(io.BytesIO(data)) as uploaded:
        assert got.tobytes() == uploaded.tobytes()
    assert pyexiv2.ImageData(sent).read_xmp()["Xmp.dc.title"] == {'lang="x-default"': "Canon"}
    with AssetVersion.objects.get(pk=version["id"]).file.open("rb") as fh:
        assert fh.read() == data
    assert download["Content-Type"] == "image/jpeg"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == (
        "attachment; filename=\"Canon 40D.jpg\"; filename*=UTF-8''" + quote("Canon 40D.jpg", safe=""))


def test_an_upload_spooled_to_disk_is_moved_into_storage_whole(api, media_in_tmp, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = spool = tmp_path / "spool"
    spool.mkdir()
    data = os.urandom(settings.FILE_UPLOAD_MAX_MEMORY_SIZE + 12345)  # over the limit: Django spools it to disk
    response = upload(api["contributor"], data, "archive-scan.bin")
    assert response.status_code == 201, response.json()
    version = AssetVersion.objects.get(pk=response.json()["current_version"]["id"])
    with version.file.open("rb") as fh:
        assert fh.read() == data
    assert list(spool.iterdir()) == []  # the spooled copy was moved (or removed), not left behind


@pytest.mark.parametrize("name,claimed", [("exiftool_HTML.html", "innocent.jpg"), ("exiftool_EXE.exe", "photo.jpg"),
                                          ("pillow_broken.png", "pillow_broken.png")])
def test_a_name_that_lies_about_the_content_is_refused(api, name, claimed):
    response = upload(api["editor"], (CORPUS / "bad" / name).read_bytes(), claimed)
    assert response.status_code == 400
    assert "named like a" in response.json()["errors"]["file"][0]
    assert Asset.objects.count() == 0


def test_type_comes_from_content_not_name(api):
    html = (CORPUS / "bad" / "exiftool_HTML.html").read_bytes()
    body = upload(api["editor"], html, "page.html").json()
    assert body["current_version"]["mime_type"] in ("text/html", "text/xml")  # XHTML, read from the bytes
    download = api["editor"].get(f"/api/v1/assets/{body['uid']}/download/")
    assert download["Content-Disposition"].startswith("attachment;")  # never rendered inline
    assert "sandbox" in download["Content-Security-Policy"]


def test_non_ascii_filename_is_kept_for_display_and_download(api):
    body = upload(api["editor"], png_bytes(), "Sommer\u202e gnp.exe/../Straße – 東京.png").json()
    assert body["current_version"]["original_filename"] == "Straße – 東京.png"
    download = api["editor"].get(f"/api/v1/assets/{body['uid']}/download/")
    assert "filename*=UTF-8''Stra%C3%9Fe%20%E2%80%93%20%E6%9D%B1%E4%BA%AC.png" in download["Content-Disposition"]
    assert 'filename="Stra_e _ __.png"' in download["Content-Disposition"]


def test_exact_duplicate_is_refused_with_the_original(api, media_in_tmp):
    data = png_bytes()
    first = upload(api["contributor"], data).json()
    before = stored_files(media_in_tmp)
    again = upload(api["contributor"], data, "copy.png")
    assert again.status_code == 409
    assert again.json()["duplicate_of"] == first["uid"]
    assert Asset.objects.count() == 1
    assert stored_files(media_in_tmp) == before  # nothing stored for the refused file


@pytest.mark.parametrize("name", ["pillow_decompression_bomb.gif", "pillow_reallybig.bmp"])
def test_unreadable_or_huge_images_are_refused_and_leave_nothing(api, media_in_tmp, name):
    response = upload(api["contributor"], (CORPUS / "bad" / name).read_bytes(), name)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["file"] and body["detail"] == body["errors"]["file"][0]
    assert Asset.objects.count() == 0 and AssetVersion.objects.count() == 0
    assert stored_files(media_in_tmp) == []


def test_empty_file_is_refused(api):
    response = upload(api["contributor"], b"", "empty.png")
    assert response.status_code == 400


def test_over_the_size_limit_gives_413_before_reading(api, settings):
    settings.DAM_MAX_UPLOAD_MB = 1
    settings.DAM_MAX_UPLOAD_BYTES = 1024 * 1024
    big = b"\0" * (3 * 1024 * 1024)
    response = upload(api["contributor"], big, "big.bin")
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert Asset.objects.count() == 0


def test_size_limit_is_enforced_while_streaming(api, settings):
    """A body under the middleware's slack but over the limit is caught by the ingest service."""
    settings.DAM_MAX_UPLOAD_BYTES = 1000
    response = upload(api["contributor"], b"x" * 5000, "small-but-too-big.txt")
    assert response.status_code == 413


def test_new_revision_becomes_current_and_is_listed(api, people):
    asset = make_asset(people["contributor"])
    response = api["contributor"].post(f"/api/v1/assets/{asset.uid}/versions/",
                                       {"file": SimpleUploadedFile("v2.png", png_bytes()), "change_note": "Crop"},
                                       format="multipart")
    assert response.status_code == 201
    assert response.json()["number"] == 2
    versions = api["contributor"].get(f"/api/v1/assets/{asset.uid}/versions/").json()
    assert [v["number"] for v in versions] == [2, 1]
    asset.refresh_from_db()
    assert asset.current_version.number == 2
    verbs = [e.verb for e in history_of(people["contributor"], asset)]
    assert verbs == ["assets.version.created", "assets.asset.created"]


def test_same_file_as_current_revision_is_a_conflict(api, people):
    data = png_bytes()
    asset = make_asset(people["contributor"], data=data)
    response = api["contributor"].post(f"/api/v1/assets/{asset.uid}/versions/",
                                       {"file": SimpleUploadedFile("same.png", data)}, format="multipart")
    assert response.status_code == 409


def test_edit_with_a_stale_etag_is_a_conflict(api, people):
    asset = make_asset(people["contributor"])
    client = api["editor"]
    etag = client.get(f"/api/v1/assets/{asset.uid}/")["ETag"]
    first = client.patch(f"/api/v1/assets/{asset.uid}/", {"title": "One"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200 and first.json()["title"] == "One"
    stale = client.patch(f"/api/v1/assets/{asset.uid}/", {"title": "Two", "etag": etag}, format="json")
    assert stale.status_code == 409
    asset.refresh_from_db()
    assert asset.title == "One"
    event = AuditEvent.objects.get(verb="assets.asset.updated")
    assert event.data["changes"]["title"] == ["An asset", "One"] and event.actor == people["editor"]


def test_rights_can_be_edited_nested_or_flat(api, people):
    asset = make_asset(people["contributor"])
    response = api["editor"].patch(f"/api/v1/assets/{asset.uid}/", {
        "rights": {"licence": "CC BY 4.0", "channels": ["web", "print"]}, "rights_holder": "ACME"}, format="json")
    assert response.status_code == 200
    assert response.json()["rights"] | {} == {**response.json()["rights"], "licence": "CC BY 4.0",
                                              "channels": ["web", "print"], "rights_holder": "ACME"}


def test_invalid_patch_gives_field_errors(api, people):
    asset = make_asset(people["contributor"])
    response = api["editor"].patch(f"/api/v1/assets/{asset.uid}/", {"rights_expire_at": "soon"}, format="json")
    assert response.status_code == 400
    assert "rights_expire_at" in response.json()["errors"]


def test_upload_in_the_ui_with_inline_errors(web, people, media_in_tmp):
    client = web("contributor")
    missing = client.post("/assets/upload/", {"title": "No file"})
    assert missing.status_code == 400
    assert b'class="field has-error required"' in missing.content and b"This field is required." in missing.content
    ok = client.post("/assets/upload/", {"file": SimpleUploadedFile("ui.png", png_bytes()), "title": "From the UI",
                                         "collection": library().pk})
    asset = Asset.objects.get(title="From the UI")
    assert ok.status_code == 302 and ok["Location"] == asset.get_absolute_url()
    page = client.get(asset.get_absolute_url())
    # The history tells it in a sentence, never by the event's code.
    text = page.content.decode()
    assert "added “From the UI” (ui.png)" in text and "assets.asset.created" not in text


def test_downloads_are_not_served_from_a_public_url(client, api, people):
    asset = make_asset(people["contributor"], approved=True)
    name = asset.current_version.file.name
    assert client.get("/media/" + name).status_code == 404
    assert client.get(f"/assets/{asset.uid}/download/").status_code == 302  # to the login page
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/").status_code == 200


def test_one_asset_over_the_api_reads_its_versions_uploaders_and_renditions_once(api, people):
    """An asset with an approved version and a newer draft: the answer shows both versions, and
    reads neither the asset again (for the download links) nor the same renditions twice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    asset = upload_as(people["contributor"])
    approve_for_test(asset)
    new_revision(asset, people["contributor"])
    with CaptureQueriesContext(connection) as captured:
        response = api["editor"].get(f"/api/v1/assets/{asset.uid}/")
    body = response.json()
    assert body["current_version"]["number"] == 2 and body["approved_version"]["number"] == 1
    assert set(body["renditions"]) == {"original", "thumb", "preview", "web"}
    assert body["current_version"]["uploaded_by"] == body["approved_version"]["uploaded_by"] == "contributor"
    reads = [q["sql"] for q in captured.captured_queries]
    assert len([sql for sql in reads if sql.startswith('SELECT "assets_asset"."id"')]) == 1, reads
    assert len([sql for sql in reads if 'FROM "assets_rendition"' in sql]) == 2, reads  # one per version
    assert not [sql for sql in reads if sql.startswith('SELECT "accounts_user"')], reads
