"""The bag writer (archive.bags.bagzip): bags hashed while zipped, judged by bagit and by hashes made here."""
from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import bagit
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from archive.bags import services
from archive.bags.bagzip import encode_path
from archive.bags.export import MissingOriginal
from assets.models import Rendition
from tests.archive import test_bags

pytestmark = pytest.mark.django_db

# The bag tests' camera JPEG with two versions, renditions, terms and history.
rich_asset, vocabulary, unzip = test_bags.rich_asset, test_bags.vocabulary, test_bags.unzip


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(path: Path) -> dict[str, str]:
    lines = [line.split(maxsplit=1) for line in path.read_text(encoding="utf-8").splitlines()]
    return {name: digest for digest, name in lines}


def test_an_exported_bag_validates_with_bagit_and_its_manifests_are_the_files_own_sha256(
        rich_asset, tmp_path, media_in_tmp):
    out = tmp_path / "harbour.zip"
    call_command("export_bag", str(rich_asset.uid), str(out), stdout=io.StringIO())
    root = unzip(out, tmp_path / "unzipped")

    bag = bagit.Bag(str(root))
    bag.validate(processes=1, fast=False, completeness_only=False)  # Payload-Oxum and every checksum
    assert bag.version_info == (1, 0) and bag.algorithms == ["sha256"]

    payload = sorted(p for p in (root / "data").rglob("*") if p.is_file())
    assert manifest(root / "manifest-sha256.txt") == {
        str(p.relative_to(root)): sha256(p) for p in payload}
    assert manifest(root / "tagmanifest-sha256.txt") == {
        name: sha256(root / name) for name in ("bag-info.txt", "bagit.txt", "manifest-sha256.txt")}
    assert bag.info["Payload-Oxum"] == f"{sum(p.stat().st_size for p in payload)}.{len(payload)}"
    # The originals in the bag are the stored ones, byte for byte.
    for version in rich_asset.versions.all():
        stored = hashlib.sha256(default_storage.open(version.file.name).read()).hexdigest()
        assert stored == version.sha256
        assert version.sha256 in manifest(root / "manifest-sha256.txt").values()


def test_the_zip_holds_one_entry_per_file_under_the_bags_folder(rich_asset, tmp_path, media_in_tmp):
    out = tmp_path / "harbour.zip"
    services.bag_export_to_file(out, asset=rich_asset)
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert all(info.compress_type == zipfile.ZIP_STORED for info in archive.infolist())
    assert len(names) == len(set(names)) and all(name.startswith("harbour/") for name in names)
    assert {n for n in names if "/data/" not in n} == {f"harbour/{tag}" for tag in (
        "bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt")}


def test_a_rendition_lost_from_the_store_is_left_out_and_the_bag_still_validates(
        rich_asset, tmp_path, media_in_tmp):
    lost = Rendition.objects.filter(version=rich_asset.approved_version, preset="thumb").get()
    default_storage.delete(lost.file.name)
    out = tmp_path / "harbour.zip"
    services.bag_export_to_file(out, asset=rich_asset)
    root = unzip(out, tmp_path / "unzipped")
    bagit.Bag(str(root)).validate(fast=False)
    assert not list(root.rglob("thumb.*")) and list(root.rglob("preview.*"))


def test_a_missing_original_makes_no_bag_and_leaves_no_file(rich_asset, tmp_path, media_in_tmp):
    default_storage.delete(rich_asset.current_version.file.name)
    out = tmp_path / "harbour.zip"
    with pytest.raises(MissingOriginal, match="version 2 is missing from the file store"):
        services.bag_export_to_file(out, asset=rich_asset)
    assert list(tmp_path.glob("*.zip")) == [] and list(tmp_path.glob(".*.part")) == []


def test_manifest_paths_are_percent_encoded_as_rfc_8493_says():
    assert encode_path("a%b\r\nc.jpg") == "a%25b%0D%0Ac.jpg"
    assert encode_path("uid/v1/IMG_0001 _Canon_.jpg") == "uid/v1/IMG_0001 _Canon_.jpg"
