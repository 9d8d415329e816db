"""One walk through every surface an asset can be reached by: once its rights expire, while it is under
embargo, or before its rights start, a viewer, a share link's visitor and outside tools no longer get it
anywhere. Time is moved by patching the clock, never slept."""
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
from distribution.models import Connection, Preset, Usage, Webhook, WebhookDelivery
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
              for name in ("fine", "expired", "embargoed", "not started")}
    asset_services.asset_update(asset=assets["expired"], actor=None,
                                changes={"rights_expire_at": T0 + timedelta(days=1)})
    hook = Webhook.objects.create(url="https://hooks.example.com/dam", events=["asset.updated", "rights.expired"],
                                  secret_sealed="unused here")
    # Everything handed out while all four were in use: a share link, a viewer's lightbox, delivery URLs.
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
    # And the licence of the last one turns out to begin later than thought.
    asset_services.asset_update(asset=assets["not started"], actor=people["editor"],
                                changes={"rights_start": T0 + timedelta(days=10)})
    return {"assets": assets, "token": link.json()["token"], "lightbox": box.json()["id"], "paths": paths,
            "hook": hook}


HIDDEN = ("expired", "embargoed", "not started")


def test_every_surface_hides_expired_embargoed_and_not_yet_started_assets(world, api, web, client, people):
    assets, token, paths = world["assets"], world["token"], world["paths"]
    fine, hidden = assets["fine"], [assets[name] for name in HIDDEN]
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
        for name in HIDDEN:
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
        assert page.status_code == 200 and page.content.count(b"Not available to you") == 3
        for asset in hidden:
            assert asset.title.encode() not in page.content
        names = _zip_names(api["viewer"].get(f"/api/v1/lightboxes/{world['lightbox']}/zip/"))
        assert names == ["fine.png"]
        members = api["viewer"].get(f"/api/v1/lightboxes/{world['lightbox']}/").json()["items"]
        available = {m["uid"]: m["available"] for m in members}
        assert available == {str(a.uid): a is fine for a in assets.values()}
        # Preset downloads: the viewer's and the editor's (who still sees the asset) alike say why not.
        assert api["viewer"].get(f"/api/v1/assets/{fine.uid}/download/", {"preset": "small-png"}).status_code == 200
        for asset in hidden:
            assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/download/",
                                     {"preset": "small-png"}).status_code == 404
        # Pushes to a connection are refused with the reason, before anything is queued.
        postiz = Connection.objects.create(kind="postiz", name="Social", base_url="https://postiz.example.com/api")
        reasons = {"expired": "rights expired", "embargoed": "under embargo until",
                   "not started": f"rights start on {timezone.localtime(T0 + timedelta(days=10)):%Y-%m-%d}"}
        for name in HIDDEN:
            refused = api["editor"].post(f"/api/v1/assets/{assets[name].uid}/push/",
                                         {"connection": postiz.pk, "preset": "web", "channels": ["c1"]},
                                         format="json")
            assert refused.status_code == 409 and reasons[name] in refused.json()["detail"], refused.json()
        assert not Usage.objects.filter(connection=postiz).exists()
        # Webhooks: the events of these assets go out without a delivery URL to fetch them by.
        rights_services.rights_daily()
    payloads = {(d.event, d.payload["data"]["asset"]["uid"]): d.payload["data"]["asset"]
                for d in WebhookDelivery.objects.filter(webhook=world["hook"])}
    assert payloads[("asset.updated", str(assets["embargoed"].uid))]["delivery_urls"] == {}
    assert payloads[("asset.updated", str(assets["not started"].uid))]["delivery_urls"] == {}
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


def test_rights_that_start_later_hold_the_asset_back_until_then(world, api, web, client):
    """Staff still see it, with the date; when the clock passes the start, every surface serves it, and no folder's
    choice keeps it in use before."""
    waiting = world["assets"]["not started"]
    start = T0 + timedelta(days=10)
    rights_services.collection_set_expiry_action(collection=waiting.collection, actor=None, action="notify")
    with clock(LATER):
        page = web("editor").get(waiting.get_absolute_url())
        assert page.status_code == 200
        assert f"Rights start on {timezone.localtime(start):%Y-%m-%d %H:%M}" in page.content.decode()
        assert api["viewer"].get(f"/api/v1/assets/{waiting.uid}/").status_code == 404
        assert client.get(world["paths"]["not started"]).status_code == 410
        facet = api["editor"].get("/api/v1/assets/", {"q": "harbour", "rights": "embargoed"}).json()["results"]
        assert {row["uid"] for row in facet} == {str(waiting.uid), str(world["assets"]["embargoed"].uid)}
    with clock(start + timedelta(minutes=1)):
        assert api["viewer"].get(f"/api/v1/assets/{waiting.uid}/").status_code == 200
        listed = {row["uid"] for row in api["viewer"].get("/api/v1/assets/", {"q": "harbour"}).json()["results"]}
        assert str(waiting.uid) in listed
        assert client.get(world["paths"]["not started"]).status_code == 200
        assert client.get(f"/s/{world['token']}/download/{waiting.uid}/?rendition=original").status_code == 200
        assert "Rights start on" not in web("editor").get(waiting.get_absolute_url()).content.decode()


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
        assert client.get(world["paths"]["not started"]).status_code == 410  # nor rights that have not begun
    rights_services.collection_set_expiry_action(collection=expired.collection, actor=None, action="hide")
    with clock(LATER):
        assert api["viewer"].get(f"/api/v1/assets/{expired.uid}/").status_code == 404
        assert client.get(world["paths"]["expired"]).status_code == 410
