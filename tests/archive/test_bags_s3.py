"""BagIt export and restore with the files in an S3 object store (moto's server on loopback)."""
from __future__ import annotations

import hashlib
import io
import urllib.request
import zipfile

import bagit
import pytest

from archive.bags import services
from archive.bags.restore import BagRefused
from archive.models import BagExport
from assets.models import Asset
from tests.assets import test_workers_and_s3 as s3
from tests.factories import make_asset

pytestmark = pytest.mark.django_db

# The assets tests' moto server and bucket fixtures.
s3_endpoint, s3_storage, keys = s3.s3_endpoint, s3.s3_storage, s3.keys


def test_a_bag_reads_originals_from_s3_is_stored_there_and_downloads_by_presigned_url(
        api, people, s3_storage, django_capture_on_commit_callbacks):
    client, bucket = s3_storage
    asset = make_asset(people["editor"], title="In the bucket", approved=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = api["viewer"].post("/api/v1/bags/", {"asset": str(asset.uid)}, format="json").data
    stored = BagExport.objects.get(pk=job["id"])
    assert stored.state == BagExport.State.READY and stored.file in keys(client, bucket)
    answer = api["viewer"].get(f"/api/v1/bags/{job['id']}/download/")
    assert answer.status_code == 302 and stored.file in answer["Location"]
    with urllib.request.urlopen(answer["Location"], timeout=10) as response:  # noqa: S310 - loopback moto
        bag = zipfile.ZipFile(io.BytesIO(response.read()))
    original = asset.approved_version.file.open().read()
    assert any(bag.read(name) == original for name in bag.namelist() if "/v1/" in name and name.endswith(".png"))


def test_a_restore_into_s3_writes_originals_there_and_a_refused_one_leaves_no_object(
        people, s3_storage, tmp_path, monkeypatch):
    client, bucket = s3_storage
    asset = make_asset(people["editor"], title="Round trip through S3")
    out = tmp_path / "bag.zip"
    services.bag_export_to_file(out, asset=asset)
    old_key = asset.current_version.file.name
    before = keys(client, bucket)

    from archive.bags import recreate

    def broken(*args, **kwargs):
        raise BagRefused("stopped half-way")

    monkeypatch.setattr(recreate.Recreator, "events", broken)
    with pytest.raises(BagRefused):
        services.bag_restore(zip_path=out, actor=None, replace=True)
    assert keys(client, bucket) == before
    monkeypatch.undo()

    Asset.objects.filter(pk=asset.pk).delete()
    (restored,) = services.bag_restore(zip_path=out, actor=None)
    new_key = restored.current_version.file.name
    assert new_key != old_key and new_key in keys(client, bucket)
    assert restored.current_version.file.open().read() == asset.current_version.file.open().read()


def test_a_bag_of_s3_originals_validates_with_bagit_and_names_each_objects_sha256(people, s3_storage, tmp_path):
    client, bucket = s3_storage
    asset = make_asset(people["editor"], title="Hashed on the way out")
    out = tmp_path / "bag.zip"
    services.bag_export_to_file(out, asset=asset)
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "x")
    root = tmp_path / "x" / "bag"
    bagit.Bag(str(root)).validate(fast=False)  # every checksum
    key = asset.current_version.file.name
    in_bucket = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    lines = dict(reversed(line.split(maxsplit=1)) for line in (root / "manifest-sha256.txt").read_text().splitlines())
    (path,) = [p for p in lines if p.startswith(f"data/{asset.uid}/v1/") and not p.endswith(".xmp")]
    assert lines[path] == hashlib.sha256(in_bucket).hexdigest()
    assert (root / path).read_bytes() == in_bucket
