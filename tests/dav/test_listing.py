"""A folder listing costs the same few queries however many assets it holds, and shows each file under a
name that is unique in the folder and the same in every listing."""
from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import Asset, AssetVersion, Collection
from tests.dav.test_bad_input import Dav
from tests.factories import library, make_collection

pytestmark = pytest.mark.django_db


def _fill(folder: Collection, owner: Any, count: int, start: int = 0) -> None:
    """`count` assets with one version each, written in bulk (their files are never read by a listing)."""
    assets = Asset.objects.bulk_create([Asset(title=f"Asset {i}", collection=folder, asset_type="image", owner=owner)
                                        for i in range(start, start + count)])
    versions = AssetVersion.objects.bulk_create([
        AssetVersion(asset=asset, number=1, file=f"originals/00/00/{asset.uid.hex}", size=100 + i,
                     original_filename=f"photo-{i}.jpg" if i % 10 else "same.jpg", mime_type="image/jpeg",
                     sha256=hashlib.sha256(asset.uid.bytes).hexdigest())
        for i, asset in enumerate(assets, start)])
    for asset, version in zip(assets, versions, strict=True):
        asset.current_version = asset.approved_version = version
    Asset.objects.bulk_update(assets, ["current_version", "approved_version"])


def _propfind(dav: Dav, path: str) -> tuple[int, bytes, int]:
    with CaptureQueriesContext(connection) as queries:
        status, body = dav("PROPFIND", path, depth="1")
    return status, body, len(queries)


def test_a_listing_of_a_thousand_assets_costs_as_many_queries_as_one_of_ten(people: dict[str, Any]) -> None:
    small, big = make_collection("Small", parent=library()), make_collection("Big", parent=library())
    _fill(small, people["admin"], 10)
    _fill(big, people["admin"], 1000, start=10)
    for persona in ("admin", "viewer"):  # who sees everything, and whose visibility is a rule in SQL
        dav = Dav(people[persona])
        _propfind(dav, "/dav/Library/Small/")  # the first request of a process reads what it caches
        status, _, few = _propfind(dav, "/dav/Library/Small/")
        status_big, body, many = _propfind(dav, "/dav/Library/Big/")
        assert status == status_big == 207
        assert many == few, f"{persona}: {few} queries for 10 assets, {many} for 1,000"
        assert body.count(b"<ns0:response>") == 1001
        # A hundred of them share one name: one keeps it, the others carry the start of their uid.
        assert body.count(b"/same.jpg<") == 1 and body.count(b"/same%20(") == 99


def test_names_are_the_same_in_every_listing(people: dict[str, Any]) -> None:
    folder = make_collection("Twins", parent=library())
    _fill(folder, people["admin"], 30)
    dav = Dav(people["editor"])
    first = dav("PROPFIND", "/dav/Library/Twins/", depth="1")[1]
    assert dav("PROPFIND", "/dav/Library/Twins/", depth="1")[1].count(b"<ns0:href>") == first.count(b"<ns0:href>")
    hrefs = sorted(part.split(b"</")[0] for part in first.split(b"<ns0:href>")[1:])
    again = dav("PROPFIND", "/dav/Library/Twins/", depth="1")[1]
    assert hrefs == sorted(part.split(b"</")[0] for part in again.split(b"<ns0:href>")[1:])
    assert len(set(hrefs)) == len(hrefs) == 31
