"""Share links: only approved, live assets leave; links expire, run out, and can be revoked."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEvent
from distribution.models import DownloadEvent, ShareLink
from tests.factories import make_asset

SHARERS = {"admin", "brand_manager", "editor"}


def create(client, assets, **extra):
    return client.post("/api/v1/share-links/", {"assets": [str(a.uid) for a in assets], **extra}, format="json")


@pytest.mark.parametrize("role", ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer"])
def test_who_may_share(role, api, people):
    asset = make_asset(people["editor"], approved=True)
    assert create(api[role], [asset]).status_code == (201 if role in SHARERS else 403)


def test_only_approved_assets_can_be_shared(api, people):
    draft = make_asset(people["editor"])
    response = create(api["editor"], [draft])
    assert response.status_code == 400 and "cannot be shared" in response.json()["errors"]["assets"][0]
    assert not ShareLink.objects.exists()


def test_a_link_serves_the_approved_version_to_anyone(client, api, people):
    asset = make_asset(people["editor"], approved=True, title="Harbour")
    body = create(api["editor"], [asset], renditions=["original"], title="For the press").json()
    page = client.get(f"/s/{body['token']}/")
    assert page.status_code == 200 and b"Harbour" in page.content and b"For the press" in page.content
    download = client.get(f"/s/{body['token']}/download/{asset.uid}/?rendition=original")
    assert download.status_code == 200
    sent = b"".join(download.streaming_content)
    with asset.approved_version.file.open("rb") as fh, Image.open(fh) as stored, Image.open(io.BytesIO(sent)) as got:
        assert got.tobytes() == stored.tobytes()  # the same picture, with the asset's rights written in
    assert b"Harbour" in sent
    assert client.get(f"/s/{body['token']}/download/{asset.uid}/?rendition=preview").status_code == 400
    event = DownloadEvent.objects.get(share_link_id=body["id"])
    assert event.asset == asset and event.rendition == "original"
    assert AuditEvent.objects.filter(verb="distribution.share_link.created").exists()


def test_expired_revoked_and_used_up_links_are_gone(client, api, people):
    asset = make_asset(people["editor"], approved=True)
    limited = create(api["editor"], [asset], max_downloads=1, renditions=["original"]).json()
    url = f"/s/{limited['token']}/download/{asset.uid}/?rendition=original"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 410
    assert client.get(f"/s/{limited['token']}/").status_code == 410

    soon = create(api["editor"], [asset], expires_at=(timezone.now() + timedelta(hours=1)).isoformat()).json()
    ShareLink.objects.filter(pk=soon["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(f"/s/{soon['token']}/").status_code == 410

    revoked = create(api["editor"], [asset]).json()
    assert api["editor"].delete(f"/api/v1/share-links/{revoked['id']}/").status_code == 204
    assert client.get(f"/s/{revoked['token']}/").status_code == 410
    assert client.get("/s/no-such-token/").status_code == 404


def test_others_cannot_see_or_revoke_my_links(api, people):
    asset = make_asset(people["editor"], approved=True)
    link = create(api["editor"], [asset]).json()
    assert api["brand_manager"].delete(f"/api/v1/share-links/{link['id']}/").status_code == 404
    assert api["brand_manager"].get("/api/v1/share-links/").json()["count"] == 0
    assert api["admin"].get(f"/api/v1/share-links/{link['id']}/").status_code == 200


def test_password_protected_link(client, api, people):
    asset = make_asset(people["editor"], approved=True, title="Secret launch")
    link = create(api["editor"], [asset], password="open sesame").json()
    assert link["has_password"] is True and "open sesame" not in str(link)
    first = client.get(f"/s/{link['token']}/")
    assert b"Password needed" in first.content and b"Secret launch" not in first.content
    assert client.get(f"/s/{link['token']}/download/{asset.uid}/").status_code == 200  # the password page
    wrong = client.post(f"/s/{link['token']}/", {"password": "nope"})
    assert wrong.status_code == 403 and b"not the password" in wrong.content
    client.post(f"/s/{link['token']}/", {"password": "open sesame"})
    assert b"Secret launch" in client.get(f"/s/{link['token']}/").content


def test_an_asset_that_stops_being_usable_disappears_from_its_links(client, api, people):
    asset = make_asset(people["editor"], approved=True, title="Old campaign")
    link = create(api["editor"], [asset]).json()
    asset.rights_expire_at = timezone.now() - timedelta(days=1)
    asset.save(update_fields=["rights_expire_at"])
    assert b"Old campaign" not in client.get(f"/s/{link['token']}/").content
    assert client.get(f"/s/{link['token']}/download/{asset.uid}/").status_code == 404


def test_share_links_in_the_ui(web, people):
    asset = make_asset(people["editor"], approved=True)
    client = web("editor")
    assert b">Share</a>" in client.get(asset.get_absolute_url()).content
    bad = client.post(f"/share-links/new/?asset={asset.uid}", {"asset": str(asset.uid), "presets": ["original"],
                                                                 "expiry": "custom", "expires_at": "2001-01-01T10:00"})
    assert bad.status_code == 400 and b"must be in the future" in bad.content
    ok = client.post("/share-links/new/", {"asset": str(asset.uid), "presets": ["original", "web"], "expiry": "7"})
    assert ok.status_code == 302
    listing = client.get("/share-links/")
    link = ShareLink.objects.get()
    assert link.get_absolute_url().encode() in listing.content
    client.post(f"/share-links/{link.pk}/revoke/")
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_internal_downloads_are_counted(api, people):
    asset = make_asset(people["editor"], approved=True)
    api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/")
    event = DownloadEvent.objects.get()
    assert event.user == people["viewer"] and event.share_link is None


def test_most_downloaded_first(api, client, people):
    quiet = make_asset(people["editor"], approved=True, title="Quiet")
    popular = make_asset(people["editor"], approved=True, title="Popular")
    for _ in range(2):
        api["viewer"].get(f"/api/v1/assets/{popular.uid}/download/")
    link = create(api["editor"], [quiet, popular], renditions=["original"]).json()
    client.get(f"/s/{link['token']}/download/{popular.uid}/?rendition=original")
    client.get(f"/s/{link['token']}/download/{quiet.uid}/?rendition=original")
    body = api["viewer"].get("/api/v1/assets/", {"ordering": "-downloads"}).json()
    assert [a["title"] for a in body["results"]][:2] == ["Popular", "Quiet"]
    popular.refresh_from_db()
    assert popular.download_count == 3 and popular.revision == 1  # counting is not editing
