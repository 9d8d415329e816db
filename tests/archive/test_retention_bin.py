"""The bin: hidden from everyone, restorable until the grace period ends, then purged for good, with every
stored file gone (local and S3) and the audit trail kept; legal holds stop the purge."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import AuditEvent
from archive.models import BinEntry
from archive.retention import services
from assets.models import Asset, AssetVersion, Rendition
from dam.errors import StateConflict
from tests.assets.test_workers_and_s3 import keys, s3_endpoint, s3_storage  # noqa: F401 - fixtures
from tests.factories import make_asset, make_collection, new_revision

pytestmark = pytest.mark.django_db


def stored_keys(asset: Asset) -> set[str]:
    versions = AssetVersion.objects.filter(asset=asset)
    names = set(versions.values_list("file", flat=True))
    names |= set(Rendition.objects.filter(version__in=versions).exclude(file="").values_list("file", flat=True))
    return names


def asset_with_files(people, api, capture, **kwargs) -> Asset:
    """An approved asset with two revisions, their renditions, and a download preset's derivative."""
    with capture(execute=True):
        asset = make_asset(people["editor"], approved=True, **kwargs)
        new_revision(asset, people["editor"])
        response = api["admin"].get(f"/api/v1/assets/{asset.uid}/download/?preset=social-square")
        assert response.status_code in (200, 202, 302), response.content
    asset.refresh_from_db()
    return asset


def test_bin_hides_restores_and_purges_every_stored_file_keeping_the_audit_trail(
        people, api, web, django_capture_on_commit_callbacks):
    asset = asset_with_files(people, api, django_capture_on_commit_callbacks, title="Old poster")
    files = stored_keys(asset)
    assert len(files) >= 6 and all(default_storage.exists(name) for name in files)
    assert Rendition.objects.filter(version__asset=asset).exclude(variant="").exists()  # a preset derivative
    url = f"/api/v1/assets/{asset.uid}/"

    entry = services.asset_bin(asset=asset, actor=people["admin"], reason="Superseded campaign")
    for persona in ("admin", "editor", "viewer"):
        assert api[persona].get(url).status_code == 404  # hidden everywhere, even for admins
    assert str(asset.uid) not in str(api["admin"].get("/api/v1/assets/").json()["results"])
    assert asset.title.encode() not in web("admin").get("/archive/").content
    assert asset.title.encode() in web("admin").get("/archive/bin/").content

    services.bin_restore(entry=entry, actor=people["admin"])
    assert api["viewer"].get(url).status_code == 200  # back as it was: approved and not archived

    entry = services.asset_bin(asset=Asset.objects.get(pk=asset.pk), actor=people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        result = services.bin_purge(entry=entry, actor=people["admin"])
    assert result.files == len(files)
    assert not Asset.objects.filter(pk=asset.pk).exists()
    assert not AssetVersion.objects.filter(asset_id=asset.pk).exists()
    assert not any(default_storage.exists(name) for name in files)
    verbs = list(AuditEvent.objects.filter(target_id=str(asset.pk)).values_list("verb", flat=True))
    assert {"archive.asset.binned", "archive.asset.unbinned", "archive.asset.purged"} <= set(verbs)
    assert any(not verb.startswith("archive.") for verb in verbs)  # its earlier history is kept too
    purged = AuditEvent.objects.get(verb="archive.asset.purged")
    assert purged.data["uid"] == str(asset.uid) and purged.target_repr == "Old poster"


def test_the_grace_period_then_the_daily_purge(people, settings, django_capture_on_commit_callbacks):
    settings.DAM_BIN_GRACE_DAYS = 30
    keep = make_asset(people["editor"], title="Kept longer")
    due = make_asset(people["editor"], title="Due")
    services.asset_bin(asset=keep, actor=people["admin"])
    services.asset_bin(asset=due, actor=people["admin"])
    BinEntry.objects.filter(asset=due).update(purge_after=timezone.now() - timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        purged = services.bin_purge_due()
    assert [p.title for p in purged] == ["Due"]
    assert Asset.objects.filter(pk=keep.pk).exists() and not Asset.objects.filter(pk=due.pk).exists()
    # The system never purges early; 31 days on (time moved by the test), it does.
    with pytest.raises(StateConflict):
        services.bin_purge(entry=BinEntry.objects.get(asset=keep), actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        purged = services.bin_purge_due(now=timezone.now() + timedelta(days=31))
    assert [p.title for p in purged] == ["Kept longer"]


def test_legal_hold_stops_the_purge_on_asset_and_on_folder(people, django_capture_on_commit_callbacks):
    folder = make_collection("Disputed")
    on_asset = make_asset(people["editor"], title="Held asset")
    in_folder = make_asset(people["editor"], make_collection("Inside", parent=folder), title="In held folder")
    entries = [services.asset_bin(asset=a, actor=people["admin"]) for a in (on_asset, in_folder)]
    services.hold_place(actor=people["admin"], asset=on_asset, reason="Claim 12")
    services.hold_place(actor=people["admin"], collection=folder, reason="Claim 13")
    for entry in entries:
        with pytest.raises(StateConflict, match="legal hold"):
            services.bin_purge(entry=entry, actor=people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bin_purge_due(now=timezone.now() + timedelta(days=365)) == []
    assert Asset.objects.filter(pk__in=[on_asset.pk, in_folder.pk]).count() == 2
    # A held asset cannot go into the bin either.
    other = make_asset(people["editor"], make_collection("Deep", parent=folder))
    with pytest.raises(StateConflict, match="legal hold"):
        services.asset_bin(asset=other, actor=people["admin"])


@pytest.mark.parametrize("role", ["librarian", "brand_manager", "editor", "viewer"])
def test_only_admins_see_the_bin_restore_and_purge(people, api, web, role):
    asset = make_asset(people["editor"], approved=True)
    entry = services.asset_bin(asset=asset, actor=people["admin"])
    assert api[role].get("/api/v1/bin/").status_code == 403
    assert api[role].post(f"/api/v1/bin/{entry.pk}/purge/").status_code in (403, 404)
    assert api[role].post(f"/api/v1/bin/{entry.pk}/restore/").status_code in (403, 404)
    assert api[role].post("/api/v1/bin/", {"asset": str(asset.uid)}, format="json").status_code in (403, 404)
    assert web(role).get("/archive/bin/").status_code == 403
    assert web(role).post(f"/archive/bin/{entry.pk}/purge/").status_code in (403, 404)
    assert Asset.objects.filter(pk=asset.pk).exists()


def test_bin_over_the_api(people, api, django_capture_on_commit_callbacks):
    asset = make_asset(people["editor"], approved=True, title="Flyer")
    moved = api["admin"].post("/api/v1/bin/", {"asset": str(asset.uid), "reason": "Duplicate"}, format="json")
    assert moved.status_code == 201 and moved.json()["asset"]["uid"] == str(asset.uid)
    again = api["admin"].post("/api/v1/bin/", {"asset": str(asset.uid)}, format="json")
    assert again.status_code == 404  # in the bin, it is hidden like anything else
    bad = api["admin"].post("/api/v1/bin/", {"asset": "not-a-uid"}, format="json")
    assert bad.status_code == 400 and bad.json()["detail"]
    listed = api["admin"].get("/api/v1/bin/").json()
    assert listed["count"] == 1 and listed["results"][0]["reason"] == "Duplicate"
    entry_id = listed["results"][0]["id"]
    assert api["admin"].post(f"/api/v1/bin/{entry_id}/restore/").json()["uid"] == str(asset.uid)
    assert api["admin"].post(f"/api/v1/bin/{entry_id}/restore/").status_code == 404
    entry = services.asset_bin(asset=Asset.objects.get(pk=asset.pk), actor=people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        purged = api["admin"].post(f"/api/v1/bin/{entry.pk}/purge/")
    assert purged.status_code == 200 and purged.json()["title"] == "Flyer"
    assert api["admin"].post(f"/api/v1/bin/{entry.pk}/purge/").status_code == 404


def test_purge_removes_every_object_from_s3(people, api, s3_storage, django_capture_on_commit_callbacks):  # noqa: F811
    client, bucket = s3_storage
    asset = asset_with_files(people, api, django_capture_on_commit_callbacks)
    before = keys(client, bucket)
    assert stored_keys(asset) <= before and len(before) >= 6
    entry = services.asset_bin(asset=asset, actor=people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        services.bin_purge(entry=entry, actor=people["admin"])
    assert keys(client, bucket) == set()


def test_a_hold_placed_while_in_the_bin_stops_the_purge(people, api, web, django_capture_on_commit_callbacks):
    asset = make_asset(people["editor"], title="Contract scan")
    entry = services.asset_bin(asset=asset, actor=people["admin"])
    assert b"Place a legal hold" in web("admin").get("/archive/bin/").content
    response = web("admin").post(f"/archive/holds/asset/{asset.uid}/", {"reason": "Subpoena", "next": "/archive/bin/"})
    assert response["Location"] == "/archive/bin/"
    page = web("admin").get("/archive/bin/").content.decode()
    assert "Under legal hold: kept" in page and "Purge now" not in page
    with django_capture_on_commit_callbacks(execute=True):
        assert services.bin_purge_due(now=timezone.now() + timedelta(days=400)) == []
    assert api["admin"].post(f"/api/v1/bin/{entry.pk}/purge/").status_code == 409
    other = make_asset(people["editor"], title="Other scan")
    services.asset_bin(asset=other, actor=people["admin"])
    held = api["admin"].post("/api/v1/legal-holds/", {"asset": str(other.uid), "reason": "Subpoena"}, format="json")
    assert held.status_code == 201
    assert Asset.objects.filter(pk__in=[asset.pk, other.pk]).count() == 2


def test_binning_a_live_asset_outdates_where_it_was_used(people):
    from distribution.models import Usage

    asset = make_asset(people["editor"], approved=True, title="Pushed banner")
    usage = Usage.objects.create(asset=asset, version=asset.approved_version, system="postiz", state="pushed",
                                 remote_id="post-1", by=people["editor"])
    services.asset_bin(asset=asset, actor=people["admin"], reason="Withdrawn")
    usage.refresh_from_db()
    assert usage.state == "outdated" and "bin" in usage.reason
