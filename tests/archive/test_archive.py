"""Archiving takes an asset out of use for everyone but the archive; restoring brings it back."""
from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from tests.factories import make_asset

ARCHIVERS = {"admin", "librarian", "brand_manager"}


@pytest.mark.parametrize("role", ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer"])
def test_who_may_archive(role, api, people):
    asset = make_asset(people["editor"], approved=True)
    response = api[role].post(f"/api/v1/assets/{asset.uid}/archive/", {"reason": "Old logo"}, format="json")
    assert response.status_code == (200 if role in ARCHIVERS else 403)


def test_archived_assets_leave_lists_and_viewers_and_come_back(api, web, people):
    asset = make_asset(people["editor"], approved=True)
    url = f"/api/v1/assets/{asset.uid}/"
    assert api["viewer"].get(url).status_code == 200
    assert api["librarian"].post(url + "archive/", {}, format="json").json()["archived_at"]
    assert api["viewer"].get(url).status_code == 404
    assert str(asset.uid) not in str(api["editor"].get("/api/v1/assets/").json()["results"])
    assert api["editor"].get(url).status_code == 200  # staff still reach it by its address
    archive_page = web("librarian").get("/archive/")
    assert asset.title.encode() in archive_page.content
    again = api["librarian"].post(url + "archive/", {}, format="json")
    assert again.status_code == 409 and "already archived" in again.json()["detail"]
    assert api["librarian"].post(url + "restore/").status_code == 200
    assert api["viewer"].get(url).status_code == 200
    verbs = set(AuditEvent.objects.filter(target_id=str(asset.pk)).values_list("verb", flat=True))
    assert {"archive.asset.archived", "archive.asset.restored"} <= verbs


def test_archive_in_the_ui(web, people):
    asset = make_asset(people["editor"], approved=True)
    client = web("brand_manager")
    assert b">Archive</button>" in client.get(asset.get_absolute_url()).content
    client.post(f"/archive/{asset.uid}/archive/")
    page = client.get(asset.get_absolute_url())
    assert b"Archived on" in page.content and b">Restore</button>" in page.content
    assert web("editor").get("/archive/").status_code == 403
    assert web("viewer").post(f"/archive/{asset.uid}/restore/").status_code == 404
