"""manage.py backup / restore_backup (archive.backup): back up a small DAM, wipe it, restore it, compare."""
from __future__ import annotations

import io
import json
import os
import subprocess
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import ApiToken, AuditEvent, User
from archive.backup import services
from archive.backup.errors import BackupRefused
from archive.models import ReleaseDocument
from archive.rights import services as rights
from assets import services as asset_services
from assets.models import (
    Asset,
    Collection,
    CollectionGroupObjectPermission,
    CollectionUserObjectPermission,
    Rendition,
    StorageTier,
)
from assets.originals import open_original
from taxonomy.models import Vocabulary
from tests.archive.test_tier import archive_dir  # noqa: F401 - fixture
from tests.assets.test_workers_and_s3 import MANAGE, keys, s3_endpoint, s3_storage  # noqa: F401 - fixtures
from tests.factories import CORPUS, library, make_asset, make_collection, make_term, make_user, new_revision, png_bytes

pytestmark = pytest.mark.django_db


def seed(people, api) -> str:
    """A small DAM: a vocabulary, a granted folder, assets with revisions, renditions and terms, a release on
    file, an asset archived into the archive tier, and a viewer's API token (returned)."""
    vocabulary = Vocabulary.objects.create(uri="https://vocab.test/backup/", title="Subjects")
    harbour, night = make_term(vocabulary, "harbour"), make_term(vocabulary, "night")
    folder = make_collection("Agency work", parent=library())
    agency = make_user("agency", None)
    asset_services.collection_grant(collection=folder, level="contribute", actor=None, user=agency)
    photo = make_asset(people["editor"], folder, title="Harbour at night", approved=True,
                       data=(CORPUS / "real" / "Canon_40D.jpg").read_bytes(), filename="harbour.jpg")
    asset_services.asset_update(asset=photo, actor=None, changes={
        "description": "The old harbour after dark.", "licence": "CC BY 4.0", "terms": [harbour.uri, night.uri]})
    new_revision(photo, people["editor"])
    rights.release_attach(asset=photo, actor=None, kind=ReleaseDocument.Kind.MODEL,
                          fileobj=io.BytesIO(png_bytes(size=(200, 100))), filename="release.png")
    make_asset(people["contributor"], title="A draft", filename="draft.png")
    kept = make_asset(people["editor"], title="Old campaign", approved=True)
    assert api["librarian"].post(f"/api/v1/assets/{kept.uid}/archive/", {}, format="json").status_code == 200
    _, key = account_services.token_create(user=people["viewer"], scope=ApiToken.Scope.READ, actor=None)
    return key


def downloaded(answer) -> bytes:
    """The bytes of a download: streamed, or behind S3's presigned redirect."""
    if answer.status_code == 302:
        with urllib.request.urlopen(answer["Location"], timeout=10) as response:  # noqa: S310 - loopback moto
            return response.read()
    assert answer.status_code == 200, answer.status_code
    return b"".join(answer.streaming_content)


def state(client: APIClient) -> dict:
    """What the DAM holds, as people and the API see it: every asset's fields, terms and versions, and the
    bytes of every version's original and renditions downloaded through the API."""
    assets = {}
    for asset in Asset._base_manager.order_by("uid").select_related("collection", "owner"):
        versions = {}
        for version in asset.versions.order_by("number"):
            with open_original(version) as fh:
                stored = fh.read()
            downloads = {}
            for rendition in ["original", *sorted(version.renditions.filter(status=Rendition.Status.READY)
                                                  .values_list("preset", flat=True))]:
                answer = client.get(f"/api/v1/assets/{asset.uid}/download/?version={version.number}"
                                    f"&rendition={rendition}")
                downloads[rendition] = downloaded(answer)
            versions[version.number] = (version.sha256, version.review_state, version.storage_tier, stored, downloads)
        assets[str(asset.uid)] = {
            "fields": (asset.title, asset.description, asset.licence, asset.collection.name,
                       asset.owner.username if asset.owner else None, asset.archived_at, asset.created_at),
            "terms": sorted(asset.term_links.values_list("term__uri", "source")),
            "current": asset.current_version.number, "approved": getattr(asset.approved_version, "number", None),
            "versions": versions,
        }
    releases = []
    for document in ReleaseDocument.objects.order_by("pk"):
        with document.file.open("rb") as fh:
            releases.append((document.original_filename, fh.read()))
    return {
        "assets": assets, "releases": releases,
        "users": sorted((u.username, u.password, u.role or "") for u in User.objects.all()),
        "tokens": sorted(ApiToken.objects.values_list("user__username", "prefix", "key_hash", "scope")),
        "grants": sorted([*CollectionUserObjectPermission.objects.values_list(
            "user__username", "permission__codename", "content_object__name"), *CollectionGroupObjectPermission
            .objects.values_list("group__name", "permission__codename", "content_object__name")]),
        "folders": sorted(Collection.objects.values_list("path", "name")),
        "events": AuditEvent.objects.count(),
    }


def as_superuser() -> APIClient:
    client = APIClient()
    client.force_authenticate(User.objects.get(username="admin"))
    return client


def wipe_database() -> None:
    """Every table emptied (Django's flush), as a database that was never written to."""
    if connection.vendor == "postgresql":  # TRUNCATE, inside the test's transaction, needs no pending checks
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def wipe(settings, tmp_path: Path, name: str) -> None:
    """A new, empty database and empty storages."""
    wipe_database()
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": tmp_path / f"{name}-media", "base_url": None}},
                         "archive": {"BACKEND": "django.core.files.storage.FileSystemStorage",
                                     "OPTIONS": {"location": tmp_path / f"{name}-archive", "base_url": None}}}
    assert not User.objects.exists() and not Asset._base_manager.exists()


@pytest.fixture
def dam(people, api, archive_dir, django_capture_on_commit_callbacks):  # noqa: F811 - fixture
    with django_capture_on_commit_callbacks(execute=True):
        token = seed(people, api)
    assert Asset._base_manager.get(title="Old campaign").versions.get().storage_tier == StorageTier.ARCHIVE
    assert Rendition.objects.filter(status=Rendition.Status.READY).count() >= 6
    return token


@pytest.mark.parametrize("name", ["dam-backup", "dam-backup.tar", "dam-backup.zip"])
def test_back_up_wipe_restore_and_everything_downloads_byte_equal(dam, settings, tmp_path, name, capsys):
    before = state(as_superuser())
    out = tmp_path / name
    call_command("backup", str(out))
    taken = capsys.readouterr()
    assert f"Backup written to {out}" in taken.out and "Objects:" in taken.err

    wipe(settings, tmp_path, "new")
    call_command("restore_backup", str(out))
    assert "every one matching its SHA-256" in capsys.readouterr().out

    # The viewer's token works again and downloads an approved asset, byte for byte.
    viewer = APIClient(HTTP_AUTHORIZATION=f"Token {dam}")
    photo = Asset.objects.get(title="Harbour at night")
    answer = viewer.get(f"/api/v1/assets/{photo.uid}/download/")
    assert downloaded(answer) == before["assets"][str(photo.uid)]["versions"][1][4]["original"]
    after = state(as_superuser())
    after["events"] -= 1  # the restore's own audit event
    assert after == before
    assert AuditEvent.objects.filter(verb="archive.backup.restored").count() == 1
    # The search index was rebuilt from the restored rows.
    found = as_superuser().get("/api/v1/assets/?q=harbour").json()
    assert [r["title"] for r in found["results"]] == ["Harbour at night"]


def test_the_backup_describes_itself(dam, tmp_path):
    report = services.backup_take(tmp_path / "b")
    info = json.loads((tmp_path / "b" / "backup.json").read_text())
    assert info["complete"] is True and info["files_included"] is True and info["problem_count"] == 0
    assert ["assets", "0001_initial"] in info["migrations"] and info["database"] == connection.vendor
    manifest = [json.loads(line) for line in (tmp_path / "b" / "objects.jsonl").read_text().splitlines()]
    assert len(manifest) == report.objects == info["objects"]
    storages_and_tops = {(e["storage"], e["key"].split("/")[0]) for e in manifest}
    assert storages_and_tops == {("default", "originals"), ("archive", "originals"), ("default", "renditions"),
                                 ("default", "releases")}
    for entry in manifest:
        assert (tmp_path / "b" / "objects" / entry["storage"] / entry["key"]).stat().st_size == entry["size"]


def test_a_corrupted_object_is_refused_by_its_key_and_nothing_is_restored(dam, settings, tmp_path):
    out = tmp_path / "b"
    services.backup_take(out)
    entry = json.loads((out / "objects.jsonl").read_text().splitlines()[0])
    damaged = out / "objects" / entry["storage"] / entry["key"]
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    wipe(settings, tmp_path, "new")

    with pytest.raises(CommandError) as refused:
        call_command("restore_backup", str(out))
    assert entry["key"] in str(refused.value) and "does not match its SHA-256" in str(refused.value)
    assert "Nothing was restored" in str(refused.value)
    assert not User.objects.exists() and not Asset._base_manager.exists()
    assert not any(p.is_file() for p in (tmp_path / "new-media").rglob("*"))


def test_a_failure_while_writing_objects_rolls_the_database_back_and_removes_what_was_written(
        dam, settings, tmp_path, monkeypatch):
    out = tmp_path / "b"
    services.backup_take(out)
    wipe(settings, tmp_path, "new")
    calls = []
    real = services._write_object

    def third_fails(backup, entry):
        calls.append(entry["key"])
        if len(calls) == 3:
            raise OSError("No space left on device")
        real(backup, entry)

    monkeypatch.setattr(services, "_write_object", third_fails)
    with pytest.raises(BackupRefused) as refused:
        services.backup_restore(out)
    assert str(refused.value).startswith(f"Writing {calls[2]} into the ")
    assert str(refused.value).endswith("storage failed (No space left on device). Nothing was restored.")
    assert not User.objects.exists() and not Asset._base_manager.exists()
    assert not any(p.is_file() for p in tmp_path.glob("new-*/**/*"))


def test_a_damaged_database_part_or_manifest_is_refused_and_nothing_is_restored(dam, settings, tmp_path):
    out = tmp_path / "b"
    services.backup_take(out)
    wipe(settings, tmp_path, "new")
    rows = (out / "database.jsonl").read_text().splitlines()
    (out / "database.jsonl").write_text("\n".join([*rows[:-1], rows[-1][: len(rows[-1]) // 2]]) + "\n")
    with pytest.raises(CommandError, match="The database part of the backup could not be loaded.*Nothing was"):
        call_command("restore_backup", str(out))
    assert not User.objects.exists() and not any(p.is_file() for p in tmp_path.glob("new-*/**/*"))

    manifest = (out / "objects.jsonl").read_text().splitlines()
    (out / "objects.jsonl").write_text("\n".join([*manifest, '{"storage": "default"}']) + "\n")
    with pytest.raises(CommandError, match="objects.jsonl holds a line that is not an object's storage, key"):
        call_command("restore_backup", str(out))
    assert not User.objects.exists()


def test_a_missing_object_makes_the_backup_incomplete_and_is_named(dam, tmp_path, media_in_tmp):
    rendition = Rendition.objects.filter(status=Rendition.Status.READY).order_by("pk").first()
    (media_in_tmp / rendition.file.name).unlink()
    out = tmp_path / "b.zip"
    with pytest.raises(CommandError) as failed:
        call_command("backup", str(out))
    assert "The backup is incomplete: 1 stored object could not be read" in str(failed.value)
    with services.open_reader(out) as backup:
        info = services._read_info(backup)
    assert info["complete"] is False
    assert info["problems"] == [{"storage": "default", "key": rendition.file.name,
                                 "problem": "missing from the storage"}]


def test_a_database_that_holds_data_is_refused_unless_forced(dam, tmp_path, capsys):
    before = state(as_superuser())
    out = tmp_path / "b.tar"
    services.backup_take(out)
    make_asset(None, title="Made after the backup")
    with pytest.raises(CommandError, match="already holds users or assets.*--force"):
        call_command("restore_backup", str(out))
    call_command("restore_backup", str(out), "--force")
    assert not Asset.objects.filter(title="Made after the backup").exists()
    after = state(as_superuser())
    after["events"] -= 1
    assert after == before


def test_a_backup_from_unknown_migrations_or_another_format_is_refused(dam, settings, tmp_path):
    out = tmp_path / "b"
    services.backup_take(out)
    info = json.loads((out / "backup.json").read_text())
    wipe(settings, tmp_path, "new")

    info["migrations"].append(["assets", "9999_from_the_future"])
    (out / "backup.json").write_text(json.dumps(info))
    with pytest.raises(BackupRefused, match="newer version of the DAM.*assets.9999_from_the_future"):
        services.backup_restore(out)

    info["migrations"] = [m for m in info["migrations"] if m != ["assets", "9999_from_the_future"]
                          and m[0] != "archive" or m[1] < "0005"]
    (out / "backup.json").write_text(json.dumps(info))
    with pytest.raises(BackupRefused, match="migrated further than the backup.*archive.0005_retention"):
        services.backup_restore(out)

    (out / "backup.json").unlink()
    with pytest.raises(BackupRefused, match="not a finished backup"):
        services.backup_restore(out)
    with pytest.raises(BackupRefused, match="There is no backup at"):
        services.backup_restore(tmp_path / "nowhere")
    assert not User.objects.exists()


def test_a_backup_never_writes_over_files(dam, tmp_path):
    (tmp_path / "taken.zip").write_bytes(b"something else")
    with pytest.raises(CommandError, match="exists; a backup never writes over files"):
        call_command("backup", str(tmp_path / "taken.zip"))
    assert (tmp_path / "taken.zip").read_bytes() == b"something else"


@pytest.fixture
def s3_dam(people, api, s3_storage, django_capture_on_commit_callbacks):  # noqa: F811 - fixture
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"], title="In the bucket", approved=True)
        asset = make_asset(people["editor"], title="Two revisions")
        new_revision(asset, people["editor"])
    return s3_storage


def test_s3_with_files_restores_into_a_new_bucket(s3_dam, settings, tmp_path, s3_endpoint):  # noqa: F811
    client, bucket = s3_dam
    before = state(as_superuser())
    out = tmp_path / "b"
    services.backup_take(out)

    wipe_database()
    fresh = bucket + "-new"
    client.create_bucket(Bucket=fresh)
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {
        **settings.STORAGES["default"]["OPTIONS"], "bucket_name": fresh}}}
    report = services.backup_restore(out)
    assert report.objects_written == len(keys(client, fresh)) == len(keys(client, bucket))
    after = state(as_superuser())
    after["events"] -= 1
    assert after == before


def test_s3_without_files_checks_the_bucket_and_names_a_missing_object(s3_dam, tmp_path, capsys):
    client, bucket = s3_dam
    before = state(as_superuser())
    out = tmp_path / "manifest-only"
    call_command("backup", str(out), "--no-files")
    assert "objects listed (files left out)" in capsys.readouterr().out
    assert not (out / "objects").exists()

    wipe_database()
    report = services.backup_restore(out)
    assert report.objects_written == 0 and report.objects_in_place == len(keys(client, bucket))
    after = state(as_superuser())
    after["events"] -= 1
    assert after["assets"] == before["assets"]

    gone = Asset.objects.get(title="In the bucket").current_version.file.name
    client.delete_object(Bucket=bucket, Key=gone)
    with pytest.raises(BackupRefused, match=f"{gone} is missing from the 'default' storage"):
        services.backup_restore(out, force=True)
    assert Asset.objects.filter(title="Two revisions").exists()  # the refused restore changed nothing


def test_an_unreadable_backup_folder_is_a_sentence(db, tmp_path):
    folder = tmp_path / "odd"
    folder.mkdir()
    (folder / "backup.json").write_text("{not json")
    with pytest.raises(CommandError, match="is not readable JSON"):
        call_command("restore_backup", str(folder))


@pytest.fixture
def other_database(tmp_path):
    """A database of the other kind than the suite runs on, for processes the test starts: the backup of a
    SQLite DAM goes into PostgreSQL and the other way round."""
    if connection.vendor == "postgresql":
        yield f"sqlite:///{tmp_path / 'other.sqlite3'}"
        return
    import psycopg
    admin_url = os.environ.get("DAM_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"dam_backup_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"No PostgreSQL to restore into at {admin_url}: {exc}")
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


CHECK = """
import hashlib, json
from accounts.models import User
from assets.models import Asset
from assets.originals import open_original
print(json.dumps({"users": sorted(User.objects.values_list("username", flat=True)), "assets": {
    str(a.uid): [[v.number, v.sha256, hashlib.sha256(open_original(v).read()).hexdigest()]
                 for v in a.versions.order_by("number")] for a in Asset._base_manager.all()}}))
"""


@pytest.mark.slow
def test_restore_into_a_freshly_migrated_database_of_the_other_kind(dam, tmp_path, other_database):
    out = tmp_path / "b.tar"
    services.backup_take(out)
    expected = {"users": sorted(User.objects.values_list("username", flat=True)), "assets": {
        str(a.uid): [[v.number, v.sha256, v.sha256] for v in a.versions.order_by("number")]
        for a in Asset._base_manager.all()}}
    env = {**os.environ, "DATABASE_URL": other_database, "DAM_DATA_DIR": str(tmp_path / "other"),
           "DAM_ARCHIVE_DIR": str(tmp_path / "other-archive"), "DAM_SYNC_TASKS": "1"}

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*MANAGE, *args], env=env, capture_output=True, text=True, timeout=600,  # noqa: S603
                              check=False)

    assert manage("migrate", "--noinput", "-v0").returncode == 0
    restored = manage("restore_backup", str(out))
    assert restored.returncode == 0, restored.stderr
    assert "every one matching its SHA-256" in restored.stdout
    again = manage("restore_backup", str(out))
    assert again.returncode == 1 and "already holds users or assets" in again.stderr
    checked = manage("shell", "-c", CHECK)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout.strip().splitlines()[-1]) == expected

    # A backup of the restored DAM, taken outside any transaction (the snapshot of that kind of database),
    # lists the same objects.
    taken = manage("backup", str(tmp_path / "again"))
    assert taken.returncode == 0, taken.stderr
    assert objects_of(tmp_path / "again") == objects_of(out)


def objects_of(backup: Path) -> list[tuple[str, str, str]]:
    with services.open_reader(backup) as reader:
        return sorted((e["storage"], e["key"], e["sha256"]) for e in services._manifest(reader))
