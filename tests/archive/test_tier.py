"""The archive storage tier: archiving moves an asset's originals to a second storage, restoring brings them back.

Round trips on a local folder and on S3 (a second bucket on moto's server), downloads from the tier,
renditions that stay, and the sentences people see on the asset page, the archive list and the API.
"""
from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage, storages
from PIL import Image

from accounts.models import AuditEvent
from archive.models import TierMove
from assets.models import AssetVersion, Rendition, StorageTier
from assets.originals import open_original
from tests.assets.test_workers_and_s3 import keys, s3_endpoint, s3_storage  # noqa: F401 - fixtures
from tests.factories import CORPUS, make_asset, new_revision

PHOTO = CORPUS / "real" / "Canon_40D.jpg"


def is_the_photo(body: bytes) -> bool:
    """A downloaded original: the photo's pixels (downloads carry the asset's rights in their metadata, so
    the bytes differ from the stored file's; distribution.embedding)."""
    with Image.open(io.BytesIO(body)) as got, Image.open(PHOTO) as stored:
        return got.tobytes() == stored.tobytes()


@pytest.fixture
def archive_dir(settings, tmp_path):
    """The archive tier as a local folder, as DAM_ARCHIVE_DIR configures it."""
    folder = tmp_path / "archive-tier"
    folder.mkdir()
    settings.STORAGES = {**settings.STORAGES, "archive": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": folder, "base_url": None}}}
    return folder


def photo_asset(people, *, approved=True):
    return make_asset(people["editor"], approved=approved, data=PHOTO.read_bytes(), filename="Canon_40D.jpg",
                      title="Harbour at dusk")


def read_original(version: AssetVersion) -> bytes:
    version.refresh_from_db()
    with open_original(version) as fh:
        return fh.read()


def test_round_trip_on_a_local_folder(api, people, archive_dir, media_in_tmp, django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    new_revision(asset, people["editor"])
    versions = list(asset.versions.order_by("number"))
    originals = {v.pk: read_original(v) for v in versions}
    renditions_before = set(Rendition.objects.filter(version__asset=asset).values_list("file", flat=True))

    with django_capture_on_commit_callbacks(execute=True):
        assert api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json").status_code == 200
    for version in versions:
        version.refresh_from_db()
        assert version.storage_tier == StorageTier.ARCHIVE and version.storage_tier_since is not None
        assert (archive_dir / version.file.name).read_bytes() == originals[version.pk]
        assert not (media_in_tmp / version.file.name).exists()  # no copy left behind
        assert read_original(version) == originals[version.pk]
    move = TierMove.objects.get(asset=asset)
    assert (move.state, move.target) == (TierMove.State.DONE, StorageTier.ARCHIVE)
    # Renditions stay in the primary storage, so the asset stays findable and shown in the archive.
    assert renditions_before and all(default_storage.exists(name) for name in renditions_before)

    with django_capture_on_commit_callbacks(execute=True):
        assert api["librarian"].post(f"/api/v1/assets/{asset.uid}/restore/").status_code == 200
    for version in versions:
        version.refresh_from_db()
        assert version.storage_tier == StorageTier.PRIMARY
        assert (media_in_tmp / version.file.name).read_bytes() == originals[version.pk]
        assert not (archive_dir / version.file.name).exists()
    assert TierMove.objects.get(asset=asset).target == StorageTier.PRIMARY
    verbs = list(AuditEvent.objects.filter(verb__startswith="archive.tier.").values_list("verb", "data__to"))
    assert verbs.count(("archive.tier.moved", "archive")) == 1 and verbs.count(("archive.tier.moved", "primary")) == 1


def test_without_a_tier_archiving_only_hides(api, web, people, media_in_tmp, django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    version = asset.versions.get()
    assert version.storage_tier == StorageTier.PRIMARY and (media_in_tmp / version.file.name).exists()
    assert not TierMove.objects.exists()
    detail = api["librarian"].get(f"/api/v1/assets/{asset.uid}/tier/").json()
    assert detail["tier"] == "primary" and detail["configured"] is False
    listing = web("librarian").get("/archive/").content.decode()
    assert asset.title in listing and "<th>Originals</th>" not in listing  # nothing to say about where they are


def test_downloads_and_derivatives_read_from_the_tier(api, web, people, archive_dir, media_in_tmp,
                                                       django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as rendition_jobs:  # held back until the original has moved
        asset = photo_asset(people)
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    assert asset.versions.get().storage_tier == StorageTier.ARCHIVE
    for job in rendition_jobs:
        job()  # the renditions are made from the original in the archive tier
    download = api["librarian"].get(f"/api/v1/assets/{asset.uid}/download/")
    assert download.status_code == 200 and is_the_photo(b"".join(download.streaming_content))
    page = web("librarian").get(f"/assets/{asset.uid}/download/")
    assert page.status_code == 200 and is_the_photo(b"".join(page.streaming_content))
    thumb = web("librarian").get(f"/assets/{asset.uid}/v1/thumb.jpg")
    assert thumb.status_code == 200 and b"".join(thumb.streaming_content)[:2] == b"\xff\xd8"


def test_originals_left_in_a_tier_that_is_no_longer_configured_are_a_sentence(
        api, web, people, settings, archive_dir, django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    settings.STORAGES = {k: v for k, v in settings.STORAGES.items() if k != "archive"}
    answer = api["librarian"].get(f"/api/v1/assets/{asset.uid}/download/")
    assert answer.status_code == 503
    assert answer.json()["detail"].startswith("This original is in the archive tier, but no archive tier is configured")
    page = web("librarian").get(f"/assets/{asset.uid}/download/")
    assert page.status_code == 503 and b"no archive tier is configured" in page.content


def test_the_asset_stays_findable_for_those_who_may_see_archives(api, web, people, archive_dir,
                                                                django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    listing = web("librarian").get("/archive/")
    assert asset.title.encode() in listing.content
    assert b"Originals in the archive tier since" in listing.content
    page = web("librarian").get(asset.get_absolute_url())
    assert b"Originals in the archive tier since" in page.content
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/").status_code == 404
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/tier/").status_code == 404
    detail = api["librarian"].get(f"/api/v1/assets/{asset.uid}/").json()
    assert detail["current_version"]["storage_tier"] == "archive"
    tier = api["librarian"].get(f"/api/v1/assets/{asset.uid}/tier/").json()
    assert tier["tier"] == "archive" and tier["state"] == "done" and tier["since"]
    assert tier["message"].startswith("Originals in the archive tier since")


# --- S3: a second bucket on moto's server ----------------------------------------------------------

@pytest.fixture
def archive_bucket(settings, s3_storage, s3_endpoint):  # noqa: F811 - fixtures
    client, _ = s3_storage
    bucket = s3_storage[1] + "-archive"
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "archive": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": bucket, "endpoint_url": s3_endpoint, "region_name": "us-east-1",
                    "default_acl": None, "querystring_auth": True, "querystring_expire": 300,
                    "file_overwrite": True, "object_parameters": {"StorageClass": "GLACIER_IR"}},
    }}
    return client, bucket


def test_round_trip_on_s3(api, people, s3_storage, archive_bucket, s3_endpoint,  # noqa: F811
                          django_capture_on_commit_callbacks):
    client, primary = s3_storage
    _, bucket = archive_bucket
    with django_capture_on_commit_callbacks(execute=True):
        asset = photo_asset(people)
    name = asset.versions.get().file.name
    assert name in keys(client, primary)
    data = PHOTO.read_bytes()

    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    assert name in keys(client, bucket) and name not in keys(client, primary)
    head = client.head_object(Bucket=bucket, Key=name)
    assert head["StorageClass"] == "GLACIER_IR" and head["ContentLength"] == len(data)
    assert any(k.startswith("renditions/") for k in keys(client, primary))  # renditions stay

    # The original is streamed from the archive bucket with the rights written in (not a presigned redirect).
    download = api["librarian"].get(f"/api/v1/assets/{asset.uid}/download/")
    assert download.status_code == 200 and is_the_photo(b"".join(download.streaming_content))

    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/restore/")
    assert name in keys(client, primary) and name not in keys(client, bucket)
    assert storages["default"].open(name).read() == data
    assert asset.versions.get().storage_tier == StorageTier.PRIMARY


def test_a_refusing_bucket_leaves_the_asset_where_it_was(api, people, s3_storage, archive_bucket,  # noqa: F811
                                                         django_capture_on_commit_callbacks):
    client, primary = s3_storage
    _, bucket = archive_bucket
    with django_capture_on_commit_callbacks(execute=True):
        asset = photo_asset(people)
    client.delete_bucket(Bucket=bucket)  # the archive bucket is gone: every write is refused
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    version = asset.versions.get()
    assert version.storage_tier == StorageTier.PRIMARY and version.file.name in keys(client, primary)
    move = TierMove.objects.get(asset=asset)
    assert move.state == TierMove.State.FAILED
    assert move.reason == "The bucket of the archive tier does not exist (NoSuchBucket)."
    assert io.BytesIO(read_original(version)).read() == PHOTO.read_bytes()


def test_while_the_originals_move_pages_say_so_and_downloads_work(api, web, people, archive_dir,
                                                                  django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    with django_capture_on_commit_callbacks() as jobs:  # the job has not run yet
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    assert len(jobs) == 1
    page = web("librarian").get(asset.get_absolute_url()).content.decode()
    assert "Moving the originals to the archive tier… Downloads keep working meanwhile." in page
    assert ">Retry</button>" not in page
    download = api["librarian"].get(f"/api/v1/assets/{asset.uid}/download/")
    assert is_the_photo(b"".join(download.streaming_content))
    jobs[0]()
    with django_capture_on_commit_callbacks() as jobs:
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/restore/")
    assert "Bringing the originals back from the archive tier…" in web("librarian").get(
        asset.get_absolute_url()).content.decode()
    download = api["librarian"].get(f"/api/v1/assets/{asset.uid}/download/")  # read from the archive tier
    assert is_the_photo(b"".join(download.streaming_content))
    jobs[0]()
    tier = api["librarian"].get(f"/api/v1/assets/{asset.uid}/tier/").json()
    assert (tier["tier"], tier["state"], tier["message"]) == ("primary", "done", "")
    assert "archive tier" not in web("librarian").get(asset.get_absolute_url()).content.decode()


def test_presets_of_an_archived_asset_are_made_from_the_original_in_the_tier(
        web, api, people, archive_dir, media_in_tmp, django_capture_on_commit_callbacks):
    asset = photo_asset(people)
    with django_capture_on_commit_callbacks(execute=True):
        api["librarian"].post(f"/api/v1/assets/{asset.uid}/archive/", {}, format="json")
    version = asset.versions.get()
    assert not (media_in_tmp / version.file.name).exists()
    client = web("librarian")
    original = client.get(f"/assets/{asset.uid}/presets/original/")
    assert original.status_code == 200 and is_the_photo(b"".join(original.streaming_content))
    with django_capture_on_commit_callbacks(execute=True):
        first = client.get(f"/assets/{asset.uid}/presets/print/")
    made = first if first.status_code == 200 else client.get(f"/assets/{asset.uid}/presets/print/")
    assert made.status_code == 200, made.content[:300]
    assert b"".join(made.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize("point", ["copied", "switched"])
def test_a_crash_on_s3_resumes_without_a_copy_left_behind(point, people, s3_storage, archive_bucket,  # noqa: F811
                                                          monkeypatch, django_capture_on_commit_callbacks):
    from datetime import timedelta

    from django.utils import timezone

    from archive.services import asset_archive
    from archive.tier import services
    client, primary = s3_storage
    _, bucket = archive_bucket
    with django_capture_on_commit_callbacks(execute=True):
        asset = photo_asset(people)
    with django_capture_on_commit_callbacks():
        asset_archive(asset=asset, actor=people["librarian"])

    dying = {"now": True}

    def crash(name, version):
        if name == point and dying["now"]:
            raise RuntimeError("the worker died")
    monkeypatch.setattr(services, "_step", crash)  # not undone: monkeypatch holds the S3 credentials too
    with pytest.raises(RuntimeError):
        services.tier_move(asset_id=asset.pk)
    version = asset.versions.get()
    assert read_original(version) == PHOTO.read_bytes()  # readable where the record says, in either bucket
    dying["now"] = False
    TierMove.objects.filter(asset=asset).update(started_at=timezone.now() - services.LEASE - timedelta(seconds=1))
    assert services.tier_move(asset_id=asset.pk).state == TierMove.State.DONE
    assert version.file.name in keys(client, bucket) and version.file.name not in keys(client, primary)
    assert read_original(version) == PHOTO.read_bytes()
