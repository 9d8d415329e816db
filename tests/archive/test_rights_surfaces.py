"""One walk through every surface an asset can be reached by: once its rights expire, or while it is under
embargo, a viewer, a share link's visitor and outside tools no longer get it anywhere. Time is moved by
patching the clock, never slept."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from archive.rights import services as rights_services
from assets import services as asset_services
from assets.models import Collection
from distribution import delivery
from distribution.models import Preset, Webhook, WebhookDelivery
from tests.factories import library, make_asset, png_bytes

BASE = "https://dam.example.org"
T0 = timezone.now().replace(microsecond=0)
LATER = T0 + timedelta(days=2)  # the "expired" asset's rights ran out a day before


@contextmanager
def clock(at):
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def world(people, api, settings):
    settings.DAM_BASE_URL = BASE
    Collection.objects.filter(pk=library().pk).update(delivery="public")
    preset = Preset.objects.create(name="small-png", label="Small PNG", max_width=32, max_height=32, format="png")
    assets = {name: make_asset(people["editor"], approved=True, title=f"Harbour {name}",
                               data=png_bytes(size=(120, 90)), filename=f"{name}.png")
              for name in ("fine", "expired", "embargoed")}
    asset_services.asset_update(asset=assets["expired"], actor=None,
                                changes={"rights_expire_at": T0 + timedelta(days=1)})
    hook = Webhook.objects.create(url="https://hooks.example.com/dam", events=["asset.updated", "rights.expired"],
                                  secret_sealed="unused here")
    # Everything handed out while all three were in use: a share link, a viewer's lightbox, delivery URLs.
    link = api["brand_manager"].post("/api/v1/share-links/", {"assets": [str(a.uid) for a in assets.values()],
                                                               "renditions": ["original"]},
                                     format="json")
    assert link.status_code == 201, link.json()
    box = api["viewer"].post("/api/v1/lightboxes/", {"name": "Harbours", "assets": [str(a.uid) for a in
                                                                                     assets.values()]}, format="json")
    assert box.status_code == 201, box.json()
    paths = {name: delivery.url_for(a, preset).path for name, a in assets.items()}
    # Then the embargo is set (an edit), and the clock moves past the other one's expiry.
    asset_services.asset_update(asset=assets["embargoed"], actor=people["editor"],
                                changes={"embargo_until": T0 + timedelta(days=10)})
    return {"assets": assets, "token": link.json()["token"], "lightbox": box.json()["id"], "paths": paths,
            "hook": hook}


def test_every_surface_hides_expired_and_embargoed_assets(world, api, web, client, people):
    assets, token, paths = world["assets"], world["token"], world["paths"]
    fine, hidden = assets["fine"], [assets["expired"], assets["embargoed"]]
    viewer = web("viewer")
    with clock(LATER):
        # The search page and the asset page.
        search = viewer.get("/assets/", {"q": "harbour"}).content.decode()
        assert fine.title in search
        for asset in hidden:
            assert asset.title not in search and str(asset.uid) not in search
            assert viewer.get(asset.get_absolute_url()).status_code == 404
        # The API: list, detail, download, delivery URLs.
        listed = {row["uid"] for row in api["viewer"].get("/api/v1/assets/", {"q": "harbour"}).json()["results"]}
        assert str(fine.uid) in listed
        for asset in hidden:
            assert str(asset.uid) not in listed
            assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/").status_code == 404
            assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/").status_code == 404
            assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/delivery/").status_code == 404
        # The share link's page and its downloads, for anyone holding the link.
        client.logout()
        share = client.get(f"/s/{token}/")
        assert share.status_code == 200 and fine.title.encode() in share.content
        assert client.get(f"/s/{token}/download/{fine.uid}/?rendition=original").status_code == 200
        for asset in hidden:
            assert asset.title.encode() not in share.content
            assert client.get(f"/s/{token}/download/{asset.uid}/?rendition=original").status_code in (404, 410)
        # Delivery URLs answer 410, and oEmbed gives nothing for them.
        assert client.get(paths["fine"]).status_code == 200
        assert client.get("/oembed", {"url": BASE + paths["fine"]}).status_code == 200
        for name in ("expired", "embargoed"):
            gone = client.get(paths[name])
            assert gone.status_code == 410 and b"Traceback" not in gone.content
            assert client.get("/oembed", {"url": BASE + paths[name]}).status_code in (404, 410)
        # The picker offers them no more, and a pick of them is refused.
        from distribution import integrations

        integrations.integration_create(actor=None, name="CMS", allowed_origins=["https://cms.example.net"])
        viewer = web("viewer")
        picker = viewer.get("/picker/", {"origin": "https://cms.example.net", "q": "harbour"}).content.decode()
        assert str(fine.uid) in picker
        for asset in hidden:
            assert str(asset.uid) not in picker
            pick = viewer.post("/picker/pick/", {"origin": "https://cms.example.net", "uids": [str(asset.uid)],
                                                 "preset": "small-png"}, content_type="application/json")
            assert pick.status_code == 404
        # The viewer's lightbox shows them as not available, and its zip leaves them out.
        page = viewer.get(f"/lightboxes/{world['lightbox']}/")
        assert page.status_code == 200 and page.content.count(b"Not available to you") == 2
        for asset in hidden:
            assert asset.title.encode() not in page.content
        names = _zip_names(api["viewer"].get(f"/api/v1/lightboxes/{world['lightbox']}/zip/"))
        assert names == ["fine.png"]
        # Webhooks: the events of these assets go out without a delivery URL to fetch them by.
        rights_services.rights_daily()
    payloads = {(d.event, d.payload["data"]["asset"]["uid"]): d.payload["data"]["asset"]
                for d in WebhookDelivery.objects.filter(webhook=world["hook"])}
    assert payloads[("asset.updated", str(assets["embargoed"].uid))]["delivery_urls"] == {}
    expired_event = payloads[("rights.expired", str(assets["expired"].uid))]
    assert expired_event["delivery_urls"] == {} and expired_event["rights_expire_at"]


def _zip_names(response) -> list[str]:
    import io
    import zipfile

    assert response.status_code == 200
    return [n for n in zipfile.ZipFile(io.BytesIO(body(response))).namelist() if not n.endswith("/")]


def test_staff_still_reach_them_to_renew(world, api):
    expired = world["assets"]["expired"]
    with clock(LATER):
        assert api["librarian"].get(f"/api/v1/assets/{expired.uid}/").status_code == 200
        rows = api["librarian"].get("/api/v1/rights/expiring/").json()["results"]
        assert [r["expired"] for r in rows if r["uid"] == str(expired.uid)] == [True]
        renewed = api["librarian"].post(f"/api/v1/assets/{expired.uid}/rights/renew/",
                                        {"expires_at": (LATER + timedelta(days=30)).isoformat()}, format="json")
        assert renewed.status_code == 200
        assert api["viewer"].get(f"/api/v1/assets/{expired.uid}/").status_code == 200  # back in use


def test_a_collection_that_keeps_expired_assets_in_use(world, api, client, people):
    """rights_on_expiry = notify: the expiry is a reminder only; every surface keeps serving the asset."""
    expired = world["assets"]["expired"]
    rights_services.collection_set_expiry_action(collection=expired.collection, actor=None, action="notify")
    with clock(LATER):
        assert api["viewer"].get(f"/api/v1/assets/{expired.uid}/").status_code == 200
        listed = {row["uid"] for row in api["viewer"].get("/api/v1/assets/", {"q": "harbour"}).json()["results"]}
        assert str(expired.uid) in listed
        assert client.get(world["paths"]["expired"]).status_code == 200
        assert client.get(f"/s/{world['token']}/download/{expired.uid}/?rendition=original").status_code == 200
        assert client.get(world["paths"]["embargoed"]).status_code == 410  # an embargo is never kept in use
    rights_services.collection_set_expiry_action(collection=expired.collection, actor=None, action="hide")
    with clock(LATER):
        assert api["viewer"].get(f"/api/v1/assets/{expired.uid}/").status_code == 404
        assert client.get(world["paths"]["expired"]).status_code == 410
