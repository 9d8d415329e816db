"""Batches: every file gets an outcome over the API, the upload page and import_assets; duplicates; near-duplicates."""
from __future__ import annotations

import io
import tarfile
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image, ImageEnhance

from accounts.models import AuditEvent
from assets.models import Asset, AssetVersion
from ingest.models import IngestBatch, IngestItem
from tests.factories import library, make_collection, png_bytes
from tests.ingest.helpers import CORPUS, open_batch, send, stored_files


def jpeg_bytes(name: str = "real/Canon_40D.jpg", *, brightness: float = 1.0, size: int | None = None) -> bytes:
    with Image.open(CORPUS / name) as im:
        im = ImageEnhance.Brightness(im.convert("RGB")).enhance(brightness)
        if size:
            im = im.resize((size, int(size * im.height / im.width)))
        out = io.BytesIO()
        im.save(out, "JPEG", quality=90)
    return out.getvalue()


def zip_of(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


# --- the batch API -------------------------------------------------------------

def test_a_batch_reports_every_file_and_keeps_what_succeeded(api, people, media_in_tmp):
    batch = open_batch(api["contributor"])
    good = send(api["contributor"], batch["id"], png_bytes(), "one.png")
    bad = send(api["contributor"], batch["id"], b"MZ\x90\x00" + b"\x00" * 200, "tool.exe")
    again = send(api["contributor"], batch["id"], png_bytes(seed=999_001), "two.png")
    assert [good[0]["outcome"], bad[0]["outcome"], again[0]["outcome"]] == ["created", "rejected", "created"]
    detail = api["contributor"].get(f"/api/v1/batches/{batch['id']}/").json()
    assert detail["summary"] == {"created": 2, "new_version": 0, "duplicate": 0, "rejected": 1, "total": 3}
    assert [i["filename"] for i in detail["items"]] == ["one.png", "tool.exe", "two.png"]
    assert detail["items"][0]["asset"]["uid"] == good[0]["asset"]["uid"]
    assert Asset.objects.count() == 2 and len(stored_files(media_in_tmp)) >= 2
    assert AuditEvent.objects.filter(verb="assets.batch.created").count() == 1
    assert AuditEvent.objects.filter(verb="assets.batch.file_added").count() == 3


def test_a_batch_is_its_uploaders(api, people):
    batch = open_batch(api["contributor"])
    assert api["editor"].get(f"/api/v1/batches/{batch['id']}/").status_code == 404
    assert api["admin"].get(f"/api/v1/batches/{batch['id']}/").status_code == 200
    response = api["admin"].post(f"/api/v1/batches/{batch['id']}/files/",
                                 {"file": SimpleUploadedFile("a.png", png_bytes())}, format="multipart")
    assert response.status_code == 403
    assert api["viewer"].post("/api/v1/batches/", {}, format="json").status_code == 403
    listed = api["contributor"].get("/api/v1/batches/").json()
    assert [b["id"] for b in listed["results"]] == [batch["id"]]


def test_a_batch_into_a_collection_without_access_is_refused(api, people):
    hidden = make_collection("Hidden")
    response = api["contributor"].post("/api/v1/batches/", {"collection": hidden.pk}, format="json")
    assert response.status_code == 404


def test_single_api_upload_is_recorded_as_a_batch_of_one(api):
    response = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("x.png", png_bytes())},
                                  format="multipart")
    assert response.status_code == 201
    batch = IngestBatch.objects.get(pk=response["X-Ingest-Batch"])
    assert batch.source == IngestBatch.Source.API and batch.items.get().outcome == IngestItem.Outcome.CREATED
    refused = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("x.png", b"not a png")},
                                 format="multipart")
    assert refused.status_code == 400
    assert IngestItem.objects.filter(outcome=IngestItem.Outcome.REJECTED, filename="x.png").exists()


# --- duplicates --------------------------------------------------------------------

def test_an_exact_duplicate_is_reported_with_a_link(api):
    data = png_bytes()
    first = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("a.png", data)}, format="multipart")
    again = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("b.png", data)}, format="multipart")
    assert again.status_code == 409 and again.json()["duplicate_of"] == first.json()["uid"]
    items = send(api["editor"], open_batch(api["editor"])["id"], data, "c.png")
    assert items[0]["outcome"] == "duplicate" and items[0]["duplicate_of"]["uid"] == first.json()["uid"]
    assert Asset.objects.count() == 1


def test_a_duplicate_can_become_a_new_revision(api):
    data = png_bytes()
    first = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("a.png", data)}, format="multipart")
    again = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("a2.png", data),
                                                   "on_duplicate": "new_version"}, format="multipart")
    assert again.status_code == 201 and again.json()["uid"] == first.json()["uid"]
    assert AssetVersion.objects.filter(asset__uid=first.json()["uid"]).count() == 2
    item = send(api["editor"], open_batch(api["editor"], on_duplicate="new_version")["id"], data, "a3.png")[0]
    assert item["outcome"] == "new_version" and item["version"] == 3


def test_a_duplicate_can_be_kept_as_a_second_asset(api):
    data = png_bytes()
    api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("a.png", data)}, format="multipart")
    item = send(api["editor"], open_batch(api["editor"], on_duplicate="keep_both")["id"], data, "b.png")[0]
    assert item["outcome"] == "created"
    assert AssetVersion.objects.filter(sha256=item["sha256"]).count() == 2


def test_a_duplicate_of_something_unseen_does_not_leak_it(api, people):
    from tests.factories import make_asset
    data = png_bytes()
    make_asset(people["admin"], make_collection("Secret"), data=data)
    item = send(api["contributor"], open_batch(api["contributor"])["id"], data, "a.png")[0]
    assert item["outcome"] == "duplicate" and item["duplicate_of"] is None
    assert "cannot see" in item["reason"]


def test_near_duplicates_are_flagged_on_both_asset_pages(api, web, django_capture_on_commit_callbacks):
    batch = open_batch(api["editor"])["id"]
    with django_capture_on_commit_callbacks(execute=True):
        first = send(api["editor"], batch, jpeg_bytes(), "original.jpg")[0]
        edited = send(api["editor"], batch, jpeg_bytes(brightness=1.08, size=90), "edited.jpg")[0]
        other = send(api["editor"], batch, jpeg_bytes("real/exiftool_GPS.jpg"), "other.jpg")[0]
    assert {first["outcome"], edited["outcome"], other["outcome"]} == {"created"}
    page = web("editor").get(f"/assets/{first['asset']['uid']}/").content.decode()
    assert "Visually similar" in page and edited["asset"]["uid"] in page and other["asset"]["uid"] not in page
    back = web("editor").get(f"/assets/{edited['asset']['uid']}/").content.decode()
    assert first["asset"]["uid"] in back


# --- archives ------------------------------------------------------------------------

def test_a_zip_becomes_one_item_per_entry(api, settings):
    data = zip_of({"photos/a.png": png_bytes(), "photos/b.png": png_bytes(), "__MACOSX/._a.png": b"junk",
                   "../escape.png": png_bytes(), "notes.txt": b"hello"})
    items = send(api["editor"], open_batch(api["editor"])["id"], data, "shoot.zip")
    outcomes = {i["entry"]: i["outcome"] for i in items}
    assert outcomes == {"photos/a.png": "created", "photos/b.png": "created", "__MACOSX/._a.png": "rejected",
                        "../escape.png": "rejected", "notes.txt": "created"}
    assert all(i["archive"] == "shoot.zip" for i in items)


def test_archive_entry_count_and_total_size_are_capped(api, settings):
    settings.DAM_ARCHIVE_MAX_ENTRIES = 2
    items = send(api["editor"], open_batch(api["editor"])["id"],
                 zip_of({f"{n}.txt": f"file {n}".encode() for n in range(5)}), "many.zip")
    # Counted from the archive's directory: refused whole, nothing unpacked (tests/ingest/test_archive_unpacking.py).
    assert [i["outcome"] for i in items] == ["rejected"] and "at most 2 are accepted" in items[0]["reason"]
    settings.DAM_ARCHIVE_MAX_ENTRIES = 100
    settings.DAM_ARCHIVE_MAX_TOTAL_BYTES = 1000
    items = send(api["editor"], open_batch(api["editor"])["id"], zip_of({"big.txt": b"x" * 600 + b"y",
                                                                          "big2.txt": b"z" * 600}), "sizes.zip")
    assert [i["outcome"] for i in items] == ["created", "rejected"] and "size limit" in items[1]["reason"]


def test_a_zip_bomb_entry_is_refused_by_its_ratio(api):
    data = zip_of({"zeros.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(data) < 100_000
    items = send(api["editor"], open_batch(api["editor"])["id"], data, "bomb.zip")
    assert items[0]["outcome"] == "rejected" and "ratio" in items[0]["reason"]


def test_links_and_devices_in_a_tar_are_refused(api):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as archive:
        for name, kind in [("link", tarfile.SYMTYPE), ("hard", tarfile.LNKTYPE), ("dev", tarfile.CHRTYPE),
                           ("fifo", tarfile.FIFOTYPE)]:
            member = tarfile.TarInfo(name)
            member.type = kind
            member.linkname = "/etc/passwd"
            archive.addfile(member)
        content = png_bytes()
        member = tarfile.TarInfo("/abs/pic.png")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
        member = tarfile.TarInfo("ok.png")
        member.size = len(content)
        archive.addfile(member, io.BytesIO(content))
    items = send(api["editor"], open_batch(api["editor"])["id"], out.getvalue(), "odd.tar.gz")
    outcomes = {i["entry"]: (i["outcome"], i["reason"]) for i in items}
    assert outcomes["link"][0] == outcomes["hard"][0] == "rejected" and "link" in outcomes["link"][1]
    assert "not a regular file" in outcomes["dev"][1] and "not a regular file" in outcomes["fifo"][1]
    assert "absolute path" in outcomes["/abs/pic.png"][1]
    assert outcomes["ok.png"][0] == "created"


def test_a_symlink_in_a_zip_is_refused(api):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        info = zipfile.ZipInfo("passwd")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
    items = send(api["editor"], open_batch(api["editor"])["id"], out.getvalue(), "links.zip")
    assert items[0]["outcome"] == "rejected" and "symbolic link" in items[0]["reason"]


def test_an_unreadable_archive_is_one_rejected_item(api):
    items = send(api["editor"], open_batch(api["editor"])["id"], b"PK\x03\x04" + b"\x00" * 100, "broken.zip")
    assert len(items) == 1 and items[0]["outcome"] == "rejected"


def a_large_batch(user, rejected_at=(7, 130, 249)):
    """A batch of 250 items, as an archive's report would hold them: created, but a few rejected."""
    batch = IngestBatch.objects.create(created_by=user, collection=library())
    IngestItem.objects.bulk_create(
        IngestItem(batch=batch, filename=f"photo-{n:03}.jpg", size=1000 + n,
                   outcome=IngestItem.Outcome.REJECTED if n in rejected_at else IngestItem.Outcome.CREATED,
                   reason="Its content is not a JPEG." if n in rejected_at else "")
        for n in range(250))
    return batch


def test_a_large_batch_is_read_a_page_at_a_time_and_by_outcome_over_the_api(api, people):
    batch = a_large_batch(people["contributor"])
    url = f"/api/v1/batches/{batch.pk}/items/"
    first = api["contributor"].get(url).json()
    assert first["count"] == 250 and len(first["results"]) == 50 and first["next"]
    assert first["results"][0]["filename"] == "photo-000.jpg"
    rejected = api["contributor"].get(url, {"outcome": "rejected"}).json()
    assert rejected["count"] == 3
    assert [i["filename"] for i in rejected["results"]] == ["photo-007.jpg", "photo-130.jpg", "photo-249.jpg"]
    assert {i["reason"] for i in rejected["results"]} == {"Its content is not a JPEG."}
    assert api["contributor"].get(url, {"outcome": "duplicate"}).json()["count"] == 0
    wrong = api["contributor"].get(url, {"outcome": "lost"})
    assert wrong.status_code == 400 and "outcome" in wrong.json()["errors"]
    assert api["editor"].get(url).status_code == 404


def test_the_batch_report_pages_its_files_and_its_counts_filter_them(web, people):
    batch = a_large_batch(people["contributor"])
    client = web("contributor")
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "photo-000.jpg" in page and "photo-099.jpg" in page and "photo-100.jpg" not in page
    assert "Page 1 of 3" in page and 'href="?outcome=rejected"' in page
    third = client.get(batch.get_absolute_url(), {"page": 3}).content.decode()
    assert "photo-249.jpg" in third and "photo-199.jpg" not in third
    rejected = client.get(batch.get_absolute_url(), {"outcome": "rejected"}).content.decode()
    assert all(f"photo-{n:03}.jpg" in rejected for n in (7, 130, 249)) and "photo-000.jpg" not in rejected
    assert "Its content is not a JPEG." in rejected and "Page 1 of" not in rejected
    none = client.get(batch.get_absolute_url(), {"outcome": "duplicate"}).content.decode()
    assert "No file in this batch has this outcome." in none
    # An outcome the report does not know shows every file, as a link from an older page would.
    assert "photo-000.jpg" in client.get(batch.get_absolute_url(), {"outcome": "lost"}).content.decode()


# --- the upload page -------------------------------------------------------------------

def test_the_upload_page_offers_drag_and_drop_many_files(web):
    page = web("contributor").get("/assets/upload/").content.decode()
    assert 'id="dropzone"' in page and "multiple" in page and "js/upload.js" in page
    assert 'name="on_duplicate"' in page and "/api/v1/batches/" in page


def test_many_files_without_javascript_land_on_the_batch_report(web):
    client = web("contributor")
    response = client.post("/assets/upload/", {"collection": library().pk, "on_duplicate": "report", "file": [
        SimpleUploadedFile("a.png", png_bytes()), SimpleUploadedFile("b.exe", b"MZ\x90\x00" + b"\x00" * 300)]})
    batch = IngestBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == batch.get_absolute_url()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "a.png" in page and "b.exe" in page and "Rejected" in page and "are not accepted" in page
    assert web("editor").get(batch.get_absolute_url()).status_code == 404
    assert f"Batch {batch.pk}" in web("contributor").get("/assets/upload/batches/").content.decode()


def test_a_single_rejected_file_shows_its_reason_inline(web):
    broken = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    response = web("contributor").post("/assets/upload/", {"collection": library().pk, "file": broken})
    assert response.status_code == 400 and b"named like a PNG file" in response.content


# --- import_assets ------------------------------------------------------------------------

def test_import_assets_imports_a_folder_with_a_manifest(tmp_path, people, capsys):
    folder = tmp_path / "drop"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.jpg").write_bytes(jpeg_bytes())
    (folder / "sub" / "b.png").write_bytes(png_bytes())
    (folder / "sub" / "c.zip").write_bytes(zip_of({"inner.png": png_bytes(), "../bad.png": png_bytes()}))
    (folder / "link.png").symlink_to(folder / "sub" / "b.png")
    manifest = tmp_path / "metadata.csv"
    manifest.write_text("filename,title,description,keywords,creator,rights_holder,usage_terms\n"
                        "a.jpg,Harbour at dawn,Boats,harbour; dawn,Ann Smith,ACME,Web only\n"
                        "inner.png,Inside the zip,,,,,\n")
    with pytest.raises(SystemExit) as exit_status:
        call_command("import_assets", str(folder), "--manifest", str(manifest), "--collection", "Library",
                     "--user", "editor")
    assert exit_status.value.code == 1  # one entry was refused
    out = capsys.readouterr().out
    assert "created" in out and "rejected" in out and "zip slip" in out and "not followed" in out
    harbour = Asset.objects.get(title="Harbour at dawn")
    assert (harbour.description, harbour.rights_holder, harbour.usage_terms) == ("Boats", "ACME", "Web only")
    assert harbour.metadata["creator"] == "Ann Smith" and harbour.owner == people["editor"]
    assert {"harbour", "dawn"} <= set(harbour.current_version.embedded_metadata["keywords"])
    assert Asset.objects.filter(title="Inside the zip").exists()
    batch = IngestBatch.objects.get(source=IngestBatch.Source.IMPORT)
    assert batch.items.count() == 4 and batch.items.filter(outcome="rejected").count() == 1
    assert batch.items.get(filename="b.png").entry == "sub/b.png"


def test_import_assets_refuses_bad_arguments(tmp_path, db):
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_assets", str(tmp_path / "nope"))
    (tmp_path / "a.png").write_bytes(png_bytes())
    with pytest.raises(CommandError, match="No collection"):
        call_command("import_assets", str(tmp_path), "--collection", "Nowhere/At all")
    manifest = tmp_path / "m.csv"
    manifest.write_text("filename,titel\na.png,typo\n")
    with pytest.raises(CommandError, match="unknown manifest columns: titel"):
        call_command("import_assets", str(tmp_path), "--manifest", str(manifest))


def test_import_assets_of_an_archive_reports_each_entry(tmp_path, db, capsys):
    path = tmp_path / "set.zip"
    path.write_bytes(zip_of({"one.png": png_bytes(), "two.png": png_bytes()}))
    call_command("import_assets", str(path))
    out = capsys.readouterr().out
    assert "set.zip:one.png" in out and "set.zip:two.png" in out and "2 created" in out


def test_an_unexpected_failure_is_recorded_and_the_batch_carries_on(api, monkeypatch, media_in_tmp):
    from assets import services
    real_create = services.asset_create

    def flaky(**kwargs):
        if kwargs["filename"] == "b.png":
            raise ConnectionError("storage went away")
        return real_create(**kwargs)
    monkeypatch.setattr(services, "asset_create", flaky)
    data = zip_of({"a.png": png_bytes(), "b.png": png_bytes(), "c.png": png_bytes()})
    items = send(api["editor"], open_batch(api["editor"])["id"], data, "three.zip")
    assert [i["outcome"] for i in items] == ["created", "rejected", "created"]
    assert "ConnectionError" in items[1]["reason"] and Asset.objects.count() == 2


def test_a_file_over_the_size_limit_is_rejected_and_nothing_is_kept(api, settings, media_in_tmp):
    settings.DAM_MAX_UPLOAD_BYTES = 2000
    settings.DAM_MAX_UPLOAD_MB = 0.002
    items = send(api["editor"], open_batch(api["editor"])["id"], png_bytes(size=(400, 400)) + b"\x00" * 3000,
                 "big.png")
    assert items[0]["outcome"] == "rejected" and "larger than the limit" in items[0]["reason"]
    assert stored_files(media_in_tmp) == []
    response = api["editor"].post("/api/v1/assets/", {"file": SimpleUploadedFile("big.png", b"\x00" * 3000)},
                                  format="multipart")
    assert response.status_code == 413


def test_archive_staging_is_removed_after_unpacking(api, settings):
    from pathlib import Path
    send(api["editor"], open_batch(api["editor"])["id"], zip_of({"a.png": png_bytes()}), "one.zip")
    assert list(Path(settings.FILE_UPLOAD_TEMP_DIR).glob("dam-unpack-*")) == []
