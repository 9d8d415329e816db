"""A drive lock is the asset's check-out: it ends when the check-out ends (UNLOCK, the UI, an admin, time),
and a refused upload through the drive is in the person's upload history like any other."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from dav.models import DavLock
from ingest.models import IngestBatch, IngestItem
from tests.dav.conftest import LOCK_BODY, png
from tests.dav.test_bad_input import Dav
from tests.factories import library, make_collection, upload_as
from workflows.models import AssetLock
from workflows.services.locks import asset_check_out, lock_break

pytestmark = pytest.mark.django_db


@pytest.fixture
def asset(people: dict[str, Any]) -> Any:
    return upload_as(people["editor"], make_collection("Drive", parent=library()))


def _path(asset: Any) -> str:
    return f"/dav/Library/Drive/{asset.current_version.original_filename}"


def test_a_lock_is_the_check_out_and_ends_with_it(people: dict[str, Any], asset: Any) -> None:
    editor, admin = Dav(people["editor"]), Dav(people["admin"])
    status, _ = editor("LOCK", _path(asset), LOCK_BODY.format(owner="ana"), timeout="Infinite",
                       user_agent="Adobe Photoshop 2024 WebDAVFS/3.0")
    assert status == 200
    held = AssetLock.objects.get(asset=asset)
    assert held.holder == people["editor"] and held.client == "Photoshop"
    assert held.expires_at <= timezone.now() + timedelta(hours=8, minutes=1)  # Infinite is a working day
    assert admin("LOCK", _path(asset), LOCK_BODY.format(owner="admin"))[0] == 423
    assert admin("PUT", _path(asset), png())[0] == 423
    # An admin breaks the check-out in the UI: the drive's lock goes with it.
    lock_break(asset=asset, actor=people["admin"])
    assert admin("PUT", _path(asset), png())[0] == 204
    assert asset.versions.count() == 2


def test_an_expired_lock_is_gone(people: dict[str, Any], asset: Any) -> None:
    editor, admin = Dav(people["editor"]), Dav(people["admin"])
    assert editor("LOCK", _path(asset), LOCK_BODY.format(owner="ana"), timeout="Second-60")[0] == 200
    past = timezone.now() - timedelta(seconds=1)
    DavLock.objects.update(expires_at=past)
    AssetLock.objects.update(expires_at=past)
    assert admin("LOCK", _path(asset), LOCK_BODY.format(owner="admin"))[0] == 200
    assert AssetLock.objects.get(asset=asset).holder == people["admin"]


def test_a_check_out_in_the_ui_locks_the_file_on_the_drive(people: dict[str, Any], asset: Any) -> None:
    asset_check_out(asset=asset, actor=people["editor"])
    status, body = Dav(people["admin"])("PUT", _path(asset), png())
    assert status == 423 and "checked this asset out" in body.decode()
    assert asset.versions.count() == 1


def test_a_refused_new_file_is_in_the_upload_history(people: dict[str, Any], asset: Any) -> None:
    with asset.current_version.file.open("rb") as handle:
        same = handle.read()
    status, body = Dav(people["editor"])("PUT", "/dav/Library/Drive/again.png", same)
    assert status == 409 and "already" in body.decode()
    item = IngestItem.objects.get(filename="again.png")
    assert item.outcome == IngestItem.Outcome.DUPLICATE and item.batch.source == IngestBatch.Source.DRIVE
    assert item.batch.created_by == people["editor"]
