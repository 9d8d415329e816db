"""Pushes into a real WordPress (tests/connections/wordpress_site.py), read back from its REST API: the preset's
bytes, title, alt text, caption with credit and licence; a newer approved version goes as a new attachment and
the old usage turns outdated."""
from __future__ import annotations

import io

import pyexiv2
import pytest
from PIL import Image

from assets.models import Asset
from distribution.models import Connection, Usage
from tests.factories import approve_for_test, make_asset, new_revision, png_bytes

pytestmark = pytest.mark.slow


@pytest.fixture
def site(api, wordpress, settings):
    settings.DAM_WEBHOOK_ALLOW_HOSTS = [*settings.DAM_WEBHOOK_ALLOW_HOSTS, "127.0.0.1"]
    made = api["admin"].post("/api/v1/connections/", {"kind": "wordpress", "name": "Company blog",
                                                      "base_url": wordpress.url, "secret": wordpress.secret},
                             format="json")
    assert made.status_code == 201, made.json()
    return Connection.objects.get(pk=made.json()["id"])


def test_an_approved_asset_goes_into_the_media_library(api, people, wordpress, site,
                                                       django_capture_on_commit_callbacks):
    assert api["admin"].post(f"/api/v1/connections/{site.pk}/test/").json()["ok"] is True
    asset = make_asset(people["editor"], approved=True, title="Harbour at dawn", data=png_bytes(size=(320, 240)))
    Asset.objects.filter(pk=asset.pk).update(description="Fishing boats at first light", licence="CC BY 4.0",
                                             rights_holder="Port Photo Agency")
    with django_capture_on_commit_callbacks(execute=True):
        answer = api["editor"].post(f"/api/v1/assets/{asset.uid}/push/",
                                    {"connection": site.pk, "preset": "original"}, format="json")
    assert answer.status_code == 202, answer.json()
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.state == "pushed", usage.reason
    media = wordpress.get(f"/wp/v2/media/{usage.remote_id}", context="edit")
    sent = wordpress.fetch(media["source_url"])  # the original's picture, with the asset's rights written in
    with asset.approved_version.file.open("rb") as fh, Image.open(fh) as stored:
        assert Image.open(io.BytesIO(sent)).tobytes() == stored.tobytes()
    assert pyexiv2.ImageData(sent).read_xmp()["Xmp.dc.rights"] == {'lang="x-default"': "Port Photo Agency"}
    assert media["title"]["raw"] == "Harbour at dawn"
    assert media["alt_text"] == "Fishing boats at first light"
    assert "Port Photo Agency" in media["caption"]["raw"] and "CC BY 4.0" in media["caption"]["raw"]
    assert usage.remote_url

    # A newer approved version is a new attachment; the first usage turns outdated.
    new_revision(asset, people["editor"])
    asset.refresh_from_db()
    approve_for_test(asset)
    usage.refresh_from_db()
    assert usage.state == "outdated"
    with django_capture_on_commit_callbacks(execute=True):
        again = api["editor"].post(f"/api/v1/assets/{asset.uid}/push/",
                                   {"connection": site.pk, "preset": "original"}, format="json")
    second = Usage.objects.get(pk=again.json()["usage"])
    assert second.state == "pushed" and second.remote_id != usage.remote_id and second.version.number == 2


def test_a_refused_password_fails_with_the_reason(api, people, wordpress, site, django_capture_on_commit_callbacks):
    api["admin"].patch(f"/api/v1/connections/{site.pk}/", {"secret": f"{wordpress.user}:wrong pass word"},
                       format="json")
    asset = make_asset(people["editor"], approved=True, data=png_bytes(size=(64, 48)))
    with django_capture_on_commit_callbacks(execute=True):
        answer = api["editor"].post(f"/api/v1/assets/{asset.uid}/push/",
                                    {"connection": site.pk, "preset": "original"}, format="json")
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.state == "failed" and "refused" in usage.reason
