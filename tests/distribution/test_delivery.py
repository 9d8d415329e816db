"""Delivery URLs: the current approved version per preset, by the collection's rule, cacheable, and gone when
the asset is no longer published."""
from __future__ import annotations

import io
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone
from PIL import Image

from assets.models import Collection
from assets.services import renditions_generate
from distribution import delivery, integrations
from distribution.models import DownloadEvent, Preset
from tests.factories import approve_for_test, make_asset, new_revision, png_bytes


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def small_png(db):
    return Preset.objects.create(name="small-png", label="Small PNG", max_width=32, max_height=32, format="png")


def published(people, mode="public", **kwargs):
    asset = make_asset(people["editor"], approved=True, data=png_bytes(size=(320, 240)), **kwargs)
    Collection.objects.filter(pk=asset.collection_id).update(delivery=mode)
    asset.refresh_from_db()
    return asset


def urls(api, asset):
    response = api["viewer"].get(f"/api/v1/assets/{asset.uid}/delivery/")
    assert response.status_code == 200, response.json()
    return {row["preset"]: row for row in response.json()["results"]}


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def test_a_public_delivery_url_serves_the_current_approved_version(api, client, people, small_png):
    asset = published(people, title="Harbour at dawn")
    row = urls(api, asset)["small-png"]
    assert row["mode"] == "public" and row["url"].endswith(f"/d/{asset.uid}/small-png/harbour-at-dawn.png")
    first = client.get(path_of(row["url"]))
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first["Cache-Control"] == "public, max-age=300" and first["ETag"]
    assert first["Content-Disposition"].startswith("inline")
    assert Image.open(io.BytesIO(body(first))).size == (32, 24)
    # Revalidation: the same version answers 304.
    assert client.get(path_of(row["url"]), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # A newer approved revision replaces what the same URL returns, with a new ETag.
    new_revision(asset, people["editor"])
    asset.refresh_from_db()
    approve_for_test(asset)
    second = client.get(path_of(row["url"]), HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert DownloadEvent.objects.filter(asset=asset, channel="delivery", preset="small-png").count() == 2


@pytest.mark.parametrize("change", ["archived", "expired", "embargoed"])
def test_a_delivery_url_is_gone_once_the_asset_is_not_published(client, api, people, small_png, change):
    asset = published(people)
    url = path_of(urls(api, asset)["small-png"]["url"])
    assert client.get(url).status_code == 200
    field = {"archived": ("archived_at", timezone.now()), "expired": ("rights_expire_at", timezone.now()),
             "embargoed": ("embargo_until", timezone.now() + timedelta(days=3))}[change]
    type(asset).objects.filter(pk=asset.pk).update(**{field[0]: field[1]})
    gone = client.get(url)
    assert gone.status_code == 410 and b"no longer published" in gone.content
    assert b"Traceback" not in gone.content


def test_signed_urls(client, api, people, small_png):
    asset = published(people, mode="signed")
    row = urls(api, asset)["small-png"]
    assert row["mode"] == "signed" and row["expires_at"]
    url = path_of(row["url"])
    assert client.get(url).status_code == 200
    path, query = url.split("?")
    values = {k: v[0] for k, v in parse_qs(query).items()}
    tampered = values["sig"][:-1] + ("0" if values["sig"][-1] != "0" else "1")
    assert client.get(f"{path}?exp={values['exp']}&sig={tampered}").status_code == 403
    assert client.get(path).status_code == 403  # unsigned
    other = path.replace("/small-png/", "/thumbnail/")
    assert client.get(f"{other}?exp={values['exp']}&sig={values['sig']}").status_code == 403  # another preset
    past = int(time.time()) - 10
    expired = f"{path}?exp={past}&sig={delivery.signature(str(asset.uid), 'small-png', past)}"
    response = client.get(expired)
    assert response.status_code == 403 and b"expired" in response.content
    later = f"{path}?exp={int(values['exp']) + 1}&sig={values['sig']}"
    assert client.get(later).status_code == 403


def test_token_delivery_needs_an_integrations_key(client, api, people, small_png):
    asset = published(people, mode="token")
    url = path_of(urls(api, asset)["small-png"]["url"])
    assert client.get(url).status_code == 403
    assert client.get(url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    integration, key = integrations.integration_create(actor=None, name="Website")
    answer = client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200 and answer["Cache-Control"] == "private, no-cache"
    assert DownloadEvent.objects.get(channel="delivery").integration == integration
    integrations.integration_revoke(integration=integration, actor=None)
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403


def test_drafts_have_no_delivery_urls_and_restricted_presets_are_never_delivered(api, client, people):
    draft = make_asset(people["editor"])
    assert api["editor"].get(f"/api/v1/assets/{draft.uid}/delivery/").status_code == 409
    assert api["viewer"].get(f"/api/v1/assets/{draft.uid}/delivery/").status_code == 404
    Preset.objects.create(name="master", label="Master", format="png", restricted=True)
    asset = published(people)
    assert "master" not in urls(api, asset)
    assert client.get(f"/d/{asset.uid}/master/x.png").status_code == 404
    assert client.get(f"/d/{draft.uid}/web/x.jpg").status_code in (403, 410)


def test_a_large_derivative_answers_202_until_made(client, api, people, django_capture_on_commit_callbacks):
    asset = published(people)
    url = path_of(urls(api, asset)["print"]["url"])
    with django_capture_on_commit_callbacks(execute=True):
        pending = client.get(url)
    assert pending.status_code == 202 and pending["Retry-After"]
    assert client.get(url).status_code == 200


def test_web_preset_delivery_uses_the_web_rendition(client, api, people):
    asset = published(people)
    renditions_generate(version_id=asset.approved_version_id)
    response = client.get(path_of(urls(api, asset)["web"]["url"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"


def test_unknown_uids_and_presets_get_the_apps_own_page(client, people, settings):
    settings.DEBUG = True
    for path in ("/d/00000000-0000-0000-0000-000000000000/web/x.jpg", "/d/nonsense/", "/d/"):
        response = client.get(path)
        assert response.status_code == 404
        assert b"URLconf" not in response.content and b"Traceback" not in response.content


def test_admins_see_download_events(api, people, small_png, client):
    asset = published(people)
    client.get(path_of(urls(api, asset)["small-png"]["url"]))
    listing = api["admin"].get(f"/api/v1/download-events/?asset={asset.uid}&since=2000-01-01")
    assert listing.status_code == 200
    row = listing.json()["results"][0]
    assert row["channel"] == "delivery" and row["preset"] == "small-png" and row["asset"] == str(asset.uid)
    assert api["viewer"].get("/api/v1/download-events/").status_code == 403
    assert api["admin"].get("/api/v1/download-events/?since=yesterday-ish").status_code == 400


def test_only_admins_change_how_a_collection_delivers(api, people):
    asset = published(people, mode="signed")
    path = f"/api/v1/collections/{asset.collection_id}/"
    assert api["editor"].patch(path, {"delivery": "public"}, format="json").status_code in (403, 404)
    assert api["admin"].patch(path, {"delivery": "nowhere"}, format="json").status_code == 400
    response = api["admin"].patch(path, {"delivery": "public"}, format="json")
    assert response.status_code == 200 and response.json()["delivery"] == "public"
