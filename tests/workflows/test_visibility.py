"""Viewers see only approved revisions of live assets: in lists, search, thumbnails, downloads, the API and reviews."""
from __future__ import annotations

import io
import re

import pytest
from django.utils import timezone

from assets.models import Asset
from ingest.services import version_ingest
from tests.factories import png_bytes, upload_as
from workflows import services

V2_WORD = re.compile(r"(?<![A-Za-z0-9])v2(?![A-Za-z0-9])")


@pytest.fixture
def revised(people, django_capture_on_commit_callbacks):
    """An asset whose v1 is approved and whose v2 is in review, renditions made for both."""
    with django_capture_on_commit_callbacks(execute=True):
        asset = upload_as(people["contributor"], title="Harbour at dawn")
    v1 = asset.current_version
    services.version_submit(version_id=v1.pk, actor=people["contributor"])
    services.version_approve(version_id=v1.pk, actor=people["editor"])
    services.version_approve(version_id=v1.pk, actor=people["brand_manager"])
    with django_capture_on_commit_callbacks(execute=True):
        v2 = version_ingest(asset=Asset.objects.get(pk=asset.pk), fileobj=io.BytesIO(png_bytes()),
                            filename="harbour-retouched.png", actor=people["contributor"])
    services.version_submit(version_id=v2.pk, actor=people["contributor"])
    return Asset.objects.get(pk=asset.pk), v1, v2


def test_viewer_api_shows_only_the_approved_revision(revised, api):
    asset, v1, v2 = revised
    viewer = api["viewer"]
    detail = viewer.get(f"/api/v1/assets/{asset.uid}/").json()
    assert detail["current_version"]["id"] == v1.pk
    assert detail["approved_version"]["id"] == v1.pk
    assert [v["number"] for v in viewer.get(f"/api/v1/assets/{asset.uid}/versions/").json()] == [1]
    listed = viewer.get("/api/v1/assets/?q=harbour").json()["results"]
    assert [(a["uid"], a["current_version"]["number"]) for a in listed] == [(str(asset.uid), 1)]
    assert viewer.get(f"/api/v1/assets/{asset.uid}/download/?version=2").status_code == 404
    assert viewer.get(f"/api/v1/assets/{asset.uid}/download/?rendition=thumb&version=2").status_code == 404
    original = viewer.get(f"/api/v1/assets/{asset.uid}/download/")
    assert original.status_code == 200
    assert "picture.png" in original["Content-Disposition"]
    assert viewer.get(f"/api/v1/versions/{v2.pk}/comments/").status_code == 404
    assert viewer.get("/api/v1/reviews/").json()["count"] == 1  # v1's closed review only
    assert viewer.get("/api/v1/reviews/?mine=1").json()["count"] == 0
    # An editor sees the revision in review.
    assert api["editor"].get(f"/api/v1/assets/{asset.uid}/").json()["current_version"]["id"] == v2.pk


def test_viewer_screens_show_only_the_approved_revision(revised, web):
    asset, v1, v2 = revised
    client = web("viewer")
    for url in ("/assets/", "/assets/?q=harbour", "/", f"/assets/{asset.uid}/"):
        page = client.get(url).content.decode()
        assert f"/assets/{asset.uid}/v1/" in page, url
        assert f"/assets/{asset.uid}/v2/" not in page, url
        assert "harbour-retouched" not in page, url
    assert client.get(f"/assets/{asset.uid}/v2/thumb.jpg").status_code == 404
    assert client.get(f"/assets/{asset.uid}/v1/thumb.jpg").status_code == 200
    assert client.get(f"/assets/{asset.uid}/download/?version=2").status_code == 404
    assert client.get(f"/reviews/versions/{v2.pk}/").status_code == 404
    approved_page = client.get(f"/reviews/versions/{v1.pk}/").content.decode()
    # As a word: random CSRF tokens in the page may contain the letters "v2".
    assert "not the current revision" not in approved_page and not V2_WORD.search(approved_page)
    history = client.get(f"/reviews/assets/{asset.uid}/history/").content.decode()
    assert re.search(r"approved v1 of “[^”]+”", history) and "workflows.version.approved" not in history
    assert not V2_WORD.search(history)
    # (web() logs the one test client in as someone else, so the editor comes last.)
    assert "not the current revision (<a" in web("editor").get(f"/reviews/versions/{v1.pk}/").content.decode()


def test_archived_assets_disappear_for_viewers_even_when_approved(revised, api):
    asset, v1, _ = revised
    Asset.objects.filter(pk=asset.pk).update(archived_at=timezone.now())
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/").status_code == 404
    assert api["viewer"].get("/api/v1/assets/").json()["count"] == 0
