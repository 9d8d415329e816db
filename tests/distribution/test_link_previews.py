"""Link previews: oEmbed for delivery URLs and share links, Open Graph / Twitter Card tags on share pages, the
oEmbed discovery Link header on delivery responses; each telling only what the link itself shows."""
from __future__ import annotations

import io
import re
import time
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.utils import timezone
from PIL import Image

from assets.models import Asset, Collection
from assets.services import renditions_generate
from distribution import delivery, integrations, services
from distribution.models import Preset, Watermark
from tests.factories import make_asset, png_bytes

BASE = "https://dam.example.org"


@pytest.fixture(autouse=True)
def base_url(settings):
    settings.DAM_BASE_URL = BASE


@pytest.fixture
def small_png(db):
    return Preset.objects.create(name="small-png", label="Small PNG", max_width=32, max_height=32, format="png")


@pytest.fixture
def medium(db):
    return Preset.objects.create(name="medium", label="Medium", max_width=200, max_height=200, format="jpeg")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def published(people, mode="public", *, title="Harbour at dawn", size=(320, 240), renditions=False, **kwargs):
    asset = make_asset(people["editor"], approved=True, title=title, data=png_bytes(size=size), **kwargs)
    Collection.objects.filter(pk=asset.collection_id).update(delivery=mode)
    if renditions:
        renditions_generate(version_id=asset.approved_version_id)
    asset.refresh_from_db()
    return asset


def delivery_path(asset, preset) -> str:
    return delivery.url_for(asset, preset).path


def oembed(client, url, **params):
    return client.get("/oembed", {"url": url, **params})


class _Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, str] = {}
        self.links: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        found = {k: v or "" for k, v in attrs}
        if tag == "meta" and ("property" in found or "name" in found):
            self.meta[found.get("property") or found["name"]] = found.get("content", "")
        if tag == "link":
            self.links.append(found)


def head_of(response) -> _Head:
    parser = _Head()
    parser.feed(response.content.decode())
    return parser


def share(people, assets, **kwargs):
    return services.share_link_create(actor=people["editor"], assets=assets, **kwargs)


# --- delivery URLs ----------------------------------------------------------------------------------------

def test_a_public_delivery_url_gets_an_oembed_photo(client, people, small_png):
    asset = published(people)
    answer = oembed(client, BASE + delivery_path(asset, small_png), format="json")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/json"
    data = answer.json()
    assert data["version"] == "1.0" and data["type"] == "photo" and data["title"] == "Harbour at dawn"
    assert data["url"] == f"{BASE}/d/{asset.uid}/small-png/harbour-at-dawn.png"
    assert (data["width"], data["height"]) == (32, 24) and data["provider_url"] == f"{BASE}/"
    assert data["cache_age"] == 300 and answer["Cache-Control"] == "public, max-age=300"
    # The reported size is the file's.
    served = client.get(urlsplit(data["url"]).path)
    assert Image.open(io.BytesIO(body(served))).size == (32, 24)


def test_maxwidth_picks_a_smaller_preset_or_scales_the_size(client, people, small_png, medium):
    asset = published(people)
    url = BASE + delivery_path(asset, medium)
    full = oembed(client, url).json()
    assert full["url"] == url and (full["width"], full["height"]) == (200, 150)
    smaller = oembed(client, url, maxwidth="100").json()
    assert smaller["url"] == BASE + delivery_path(asset, small_png) and (smaller["width"], smaller["height"]) == (
        32, 24)
    assert smaller["thumbnail_width"] <= 100
    tiny = oembed(client, url, maxwidth="16").json()
    assert tiny["url"].endswith(".png") and (tiny["width"], tiny["height"]) == (16, 12)
    tall = oembed(client, url, maxheight="120").json()
    assert tall["url"] == BASE + delivery_path(asset, small_png)
    assert oembed(client, url, maxwidth="wide").status_code == 400
    assert oembed(client, url, maxwidth="0").json()["detail"]


def test_a_signed_delivery_url_previews_only_while_its_signature_holds(client, people, small_png, medium):
    asset = published(people, mode=Collection.Delivery.SIGNED)
    signed = delivery_path(asset, small_png)
    valid = oembed(client, BASE + signed)
    assert valid.status_code == 200, valid.json()
    data = valid.json()
    assert data["url"] == BASE + signed and "cache_age" not in data
    assert valid["Cache-Control"] == "private, no-store"
    # maxwidth never swaps in another preset: the signature is for this one.
    assert oembed(client, BASE + signed, maxwidth="16").json()["url"] == BASE + signed
    query = parse_qs(urlsplit(signed).query)
    path = urlsplit(signed).path
    tampered = f"{path}?{urlencode({'exp': query['exp'][0], 'sig': '0' * 64})}"
    expired = delivery.url_for(asset, small_png, now=time.time() - 30 * 24 * 3600).path
    for refused in (tampered, path, expired, delivery_path(asset, medium).replace("medium", "small-png")):
        assert client.get(refused).status_code == 403
        answer = oembed(client, BASE + refused)
        assert answer.status_code == 404 and answer.json()["detail"]
        assert "Harbour" not in answer.content.decode()


def test_a_key_only_delivery_url_previews_with_its_key(client, people, small_png):
    asset = published(people, mode=Collection.Delivery.TOKEN)
    path = delivery_path(asset, small_png)
    assert oembed(client, BASE + path).status_code == 404
    _, key = integrations.integration_create(actor=None, name="Website")
    answer = oembed(client, f"{BASE}{path}?key={key}")
    assert answer.status_code == 200 and answer.json()["url"] == f"{BASE}{path}?key={key}"
    assert oembed(client, f"{BASE}{path}?key=dami_wrong").status_code == 404


@pytest.mark.parametrize("change", ["archived_at", "rights_expire_at", "embargo_until"])
def test_an_unpublished_asset_has_no_preview(client, people, small_png, change):
    asset = published(people)
    url = BASE + delivery_path(asset, small_png)
    assert oembed(client, url).status_code == 200
    when = timezone.now() + (timedelta(days=3) if change == "embargo_until" else timedelta())
    Asset.objects.filter(pk=asset.pk).update(**{change: when})
    answer = oembed(client, url)
    assert answer.status_code == 404 and set(answer.json()) == {"detail"}


def test_delivery_responses_carry_the_oembed_discovery_link(client, people, small_png):
    asset = published(people)
    path = delivery_path(asset, small_png)
    first = client.get(path)
    assert first.status_code == 200
    found = re.fullmatch(r'<([^>]+)>; rel="alternate"; type="application/json\+oembed"', first["Link"])
    assert found, first["Link"]
    endpoint = urlsplit(found.group(1))
    assert f"{endpoint.scheme}://{endpoint.netloc}{endpoint.path}" == f"{BASE}/oembed"
    assert parse_qs(endpoint.query) == {"url": [BASE + path], "format": ["json"]}
    assert client.get(f"/oembed?{endpoint.query}").json()["type"] == "photo"
    again = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["Link"] == first["Link"]
    # Refusals say nothing about an oEmbed.
    Asset.objects.filter(pk=asset.pk).update(archived_at=timezone.now())
    assert "Link" not in client.get(path)


# --- requests that are not answered -------------------------------------------------------------------------

def test_refusals_are_json_sentences(client, people, small_png):
    asset = published(people)
    path = delivery_path(asset, small_png)
    cases = {
        (BASE + path, "xml"): 501,
        ("https://elsewhere.example" + path, "json"): 404,
        (f"{BASE}/s/no-such-token/", "json"): 404,
        (f"{BASE}/d/{asset.uid}/no-such-preset/x.png", "json"): 404,
        (f"{BASE}/assets/{asset.uid}/", "json"): 404,
        (f"{BASE}/oembed?url=x", "json"): 404,
        ("ftp://dam.example.org" + path, "json"): 404,
        ("http://[::1", "json"): 404,
        ("not a url", "json"): 404,
        ("", "json"): 400,
    }
    for (url, fmt), status in cases.items():
        answer = client.get("/oembed", {"url": url, "format": fmt})
        assert answer.status_code == status, (url, answer.content)
        assert answer["Content-Type"] == "application/json" and answer.json()["detail"]
    assert client.post("/oembed", {"url": BASE + path}).status_code == 405
    # The host the request came to is ours too.
    assert oembed(client, "http://testserver" + path).status_code == 200


# --- share links --------------------------------------------------------------------------------------------

def test_a_share_link_gets_an_oembed_photo_of_its_own_preview(client, people):
    asset = published(people, size=(640, 480), renditions=True)
    Asset.objects.filter(pk=asset.pk).update(description="Boats leaving the harbour.", rights_holder="Ann Photo")
    link = share(people, [asset])
    answer = oembed(client, f"{BASE}/s/{link.token}/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["type"] == "photo" and data["title"] == "Harbour at dawn"
    assert data["url"] == f"{BASE}/s/{link.token}/preview/{asset.uid}.jpg" and "/assets/" not in data["url"]
    assert (data["width"], data["height"]) == (640, 480)
    assert answer["Cache-Control"] == "private, no-store" and "cache_age" not in data
    picture = client.get(urlsplit(data["url"]).path)
    assert picture.status_code == 200 and Image.open(io.BytesIO(body(picture))).size == (640, 480)
    # maxwidth: the link's thumbnail, then that scaled.
    small = oembed(client, f"{BASE}/s/{link.token}/", maxwidth="500").json()
    assert small["url"] == f"{BASE}/s/{link.token}/thumb/{asset.uid}.jpg" and small["width"] == 400
    assert oembed(client, f"{BASE}/s/{link.token}/", maxwidth="200").json()["width"] == 200


def test_a_protected_share_link_previews_as_protected_only(client, people):
    asset = published(people, renditions=True, title="Secret launch photo")
    link = share(people, [asset], password="open sesame", title="Launch pictures")
    data = oembed(client, f"{BASE}/s/{link.token}/").json()
    assert data["type"] == "link" and data["title"] == "Protected share link"
    assert "url" not in data and "thumbnail_url" not in data
    page = client.get(f"/s/{link.token}/")
    head = head_of(page)
    assert head.meta["og:title"] == "Protected share link" and "og:image" not in head.meta
    assert head.meta["twitter:card"] == "summary"
    for shown in (str(data), page.content.decode()):
        assert "Secret launch" not in shown and "Launch pictures" not in shown and str(asset.uid) not in shown
    # Even for the visitor who entered the password: what is unfurled never depends on a session.
    client.post(f"/s/{link.token}/", {"password": "open sesame"})
    opened = client.get(f"/s/{link.token}/")
    assert b"Secret launch photo" in opened.content
    assert head_of(opened).meta["og:title"] == "Protected share link"
    assert oembed(client, f"{BASE}/s/{link.token}/").json()["title"] == "Protected share link"


@pytest.mark.parametrize("ending", ["expired", "revoked", "used up"])
def test_a_share_link_that_ended_previews_as_no_longer_available(client, people, ending):
    asset = published(people, renditions=True, title="Secret launch photo")
    link = share(people, [asset], title="Launch pictures", max_downloads=1)
    changes = {"expired": {"expires_at": timezone.now() - timedelta(minutes=1)},
               "revoked": {"revoked_at": timezone.now()}, "used up": {"download_count": 1}}[ending]
    type(link).objects.filter(pk=link.pk).update(**changes)
    answer = oembed(client, f"{BASE}/s/{link.token}/")
    assert answer.status_code == 200
    data = answer.json()
    assert data["type"] == "link" and data["title"] == "Share link no longer available"
    if ending == "expired":
        assert data["description"] == "This link has expired."
    page = client.get(f"/s/{link.token}/")
    assert page.status_code == 410 and head_of(page).meta["og:title"] == "Share link no longer available"
    for shown in (str(data), page.content.decode()):
        assert "Secret launch" not in shown and "Launch pictures" not in shown and "preview/" not in shown


def test_the_share_page_carries_open_graph_twitter_and_discovery_tags(client, people):
    asset = published(people, size=(640, 480), renditions=True)
    Asset.objects.filter(pk=asset.pk).update(description="Boats leaving the harbour.")
    link = share(people, [asset], title="Press kit")
    page = client.get(f"/s/{link.token}/")
    head = head_of(page)
    image = f"{BASE}/s/{link.token}/preview/{asset.uid}.jpg"
    assert head.meta["og:title"] == "Harbour at dawn" and head.meta["og:description"] == "Boats leaving the harbour."
    assert head.meta["og:type"] == "website" and head.meta["og:url"] == f"{BASE}/s/{link.token}/"
    assert (head.meta["og:image"], head.meta["og:image:width"], head.meta["og:image:height"]) == (image, "640", "480")
    assert head.meta["twitter:card"] == "summary_large_image" and head.meta["twitter:image"] == image
    assert head.meta["twitter:title"] == "Harbour at dawn"
    discovery = next(tag for tag in head.links if tag.get("type") == "application/json+oembed")
    assert discovery["rel"] == "alternate"
    endpoint = urlsplit(discovery["href"])
    assert parse_qs(endpoint.query)["url"] == [f"{BASE}/s/{link.token}/"]
    assert client.get(f"/oembed?{endpoint.query}").json()["url"] == image


def test_several_files_preview_with_the_links_title_and_the_first_visible_picture(client, people):
    first = published(people, title="A first picture", renditions=True)
    second = published(people, title="B second picture", renditions=True)
    hidden = published(people, title="0 archived first", renditions=True)
    link = share(people, [second, first, hidden], title="Spring campaign", description="Pictures for May.")
    Asset.objects.filter(pk=hidden.pk).update(archived_at=timezone.now())
    head = head_of(client.get(f"/s/{link.token}/"))
    assert head.meta["og:title"] == "Spring campaign" and head.meta["og:description"] == "Pictures for May."
    assert head.meta["og:image"] == f"{BASE}/s/{link.token}/preview/{first.uid}.jpg"
    data = oembed(client, f"{BASE}/s/{link.token}/").json()
    assert data["title"] == "Spring campaign" and data["url"] == head.meta["og:image"]


def test_a_link_offering_only_originals_or_without_renditions_shows_no_picture(client, people):
    asset = published(people, renditions=True)
    originals = share(people, [asset], presets=["original"])
    assert oembed(client, f"{BASE}/s/{originals.token}/").json()["type"] == "link"
    assert "og:image" not in head_of(client.get(f"/s/{originals.token}/")).meta
    pending = share(people, [published(people, title="Not made yet")])
    data = oembed(client, f"{BASE}/s/{pending.token}/").json()
    assert data["type"] == "link" and data["title"] == "Not made yet"


def test_a_watermarked_links_preview_is_its_marked_copy_at_its_size(client, people):
    asset = published(people, size=(1600, 1200), renditions=True)
    mark = Watermark.objects.create(name="Proof", kind=Watermark.Kind.TEXT, text="PROOF")
    link = share(people, [asset], watermark=mark)
    data = oembed(client, f"{BASE}/s/{link.token}/").json()
    assert data["url"] == f"{BASE}/s/{link.token}/preview/{asset.uid}.jpg"
    assert (data["width"], data["height"]) == (1200, 900)
    picture = client.get(urlsplit(data["url"]).path)
    assert picture.status_code == 200 and Image.open(io.BytesIO(body(picture))).size == (1200, 900)


def test_titles_are_escaped_and_long_descriptions_shortened(client, people):
    asset = published(people, title='Boats "at" <dawn> & dusk', renditions=True)
    Asset.objects.filter(pk=asset.pk).update(description="word " * 200)
    link = share(people, [asset])
    page = client.get(f"/s/{link.token}/")
    assert b"<dawn>" not in page.content
    head = head_of(page)
    assert head.meta["og:title"] == 'Boats "at" <dawn> & dusk'
    assert len(head.meta["og:description"]) <= 300 and head.meta["og:description"].endswith("…")
