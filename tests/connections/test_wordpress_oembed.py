"""WordPress's own oEmbed, against the DAM on a live server: a post whose content is one of our URLs on a line of
its own renders our picture.

What WordPress (6.1, Debian's package) does with a URL in a post: a provider registered for it (the list built
in, or wp_oembed_add_provider) is asked at once; any other URL is fetched and its HTML searched for a
`<link rel="alternate" type="application/json+oembed">` in <head> (WP_oEmbed::discover). It never reads the HTTP
Link header, so a delivery URL, which serves the file itself, is discovered by no WordPress: its picture renders
once the site registers the DAM as a provider (a line in a small plugin). A share link's page carries the <link>
tag, and is discovered with no help.

The test site's mu-plugin (tests/connections/wordpress_site.py) lets WordPress fetch loopback addresses on any
port, which it refuses by default, and registers the providers the test puts in an option.
"""
from __future__ import annotations

import html
import io
import json
import re
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import Resolver404, resolve
from PIL import Image

from accounts.roles import Role
from assets import services as asset_services
from assets.models import Asset, Collection, Rendition
from distribution import delivery, services
from distribution.models import Preset
from tests.connections.wordpress_site import WordPressSite
from tests.factories import make_asset, make_user, png_bytes


def _oembed_missing() -> bool:
    try:
        resolve("/oembed")
    except Resolver404:
        return True
    return False


pytestmark = [
    pytest.mark.skipif(_oembed_missing(), reason="the /oembed endpoint is not there yet"),
    # Live server: the data must be committed for its thread; the roles' groups are restored for the tests after.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def published(live_server: Any, settings: Any) -> dict[str, Any]:
    """An approved picture in a collection whose delivery URLs are public, with its renditions made."""
    settings.DAM_BASE_URL = live_server.url
    editor = make_user("ed", Role.EDITOR)
    asset = make_asset(editor, title="Harbour at dawn", approved=True, data=png_bytes(size=(640, 480)))
    assert asset.approved_version_id is not None
    Collection.objects.filter(pk=asset.collection_id).update(delivery=Collection.Delivery.PUBLIC)
    if not Rendition.objects.filter(version=asset.approved_version_id, status=Rendition.Status.READY).exists():
        asset_services.renditions_generate(version_id=asset.approved_version_id)
    asset = Asset.objects.select_related("collection").get(pk=asset.pk)
    return {"editor": editor, "asset": asset, "dam": live_server.url}


@pytest.fixture
def dam_provider(wordpress: WordPressSite, published: dict[str, Any]) -> Iterator[None]:
    """The test site trusts the DAM as an oEmbed provider for its delivery URLs, as a site owner would."""
    dam = re.escape(published["dam"])
    providers = {f"#^{dam}/d/.*#i": f"{published['dam']}/oembed"}
    wordpress.php(f"update_option( 'dam_test_oembed_providers', json_decode( {_php_string(json.dumps(providers))}, "
                  "true ) );")
    yield
    wordpress.php("delete_option( 'dam_test_oembed_providers' );")


def _php_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def rendered_post(wordpress: WordPressSite, url: str) -> str:
    """Publish a post whose content is `url` on a line of its own; the post's HTML as WordPress renders it."""
    post = wordpress.post("/wp/v2/posts", {"title": "From the DAM", "status": "publish",
                                           "content": f"Our picture of the day:\n\n{url}\n\nMore soon."})
    return str(wordpress.get(f"/wp/v2/posts/{post['id']}")["content"]["rendered"])


def images(markup: str) -> list[dict[str, str]]:
    found = []
    for tag in re.findall(r"<img\b[^>]*>", markup):
        found.append({name: html.unescape(value) for name, value in re.findall(r'(\w+)="([^"]*)"', tag)})
    return found


def fetch_image(url: str) -> Image.Image:
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the live server's http URL
        assert answer.status == 200 and answer.headers["Content-Type"].startswith("image/")
        return Image.open(io.BytesIO(answer.read()))


@pytest.mark.usefixtures("dam_provider")
def test_a_delivery_url_in_a_post_renders_our_picture(wordpress: WordPressSite, published: dict[str, Any]) -> None:
    asset = published["asset"]
    url = published["dam"] + delivery.url_for(asset, Preset.objects.get(name="web")).path

    markup = rendered_post(wordpress, url)

    [img] = images(markup)
    assert img["src"].startswith(f"{published['dam']}/d/{asset.uid}/"), markup
    assert img["alt"] == "Harbour at dawn"
    assert f'<a href="{url}">' in markup  # the picture links to the delivery URL the author pasted
    picture = fetch_image(img["src"])  # anyone reading the post can load it
    assert picture.size == (int(img["width"]), int(img["height"]))


def test_a_share_link_in_a_post_is_discovered_and_renders_its_picture(wordpress: WordPressSite,
                                                                      published: dict[str, Any]) -> None:
    asset = published["asset"]
    link = services.share_link_create(actor=published["editor"], assets=[asset], title="Press kit")
    url = f"{published['dam']}{link.get_absolute_url()}"

    markup = rendered_post(wordpress, url)

    [img] = images(markup)
    assert img["src"].startswith(f"{published['dam']}/s/{link.token}/"), markup
    assert img["alt"] == "Harbour at dawn"
    assert fetch_image(img["src"]).size == (int(img["width"]), int(img["height"]))


@pytest.mark.xfail(strict=True, reason="WordPress discovers oEmbed only from <link> tags in an HTML page's <head>, "
                                       "never from the Link header that a delivery URL (a file) carries")
def test_a_delivery_url_is_discovered_by_its_link_header(wordpress: WordPressSite,
                                                         published: dict[str, Any]) -> None:
    asset = published["asset"]
    url = published["dam"] + delivery.url_for(asset, Preset.objects.get(name="web")).path
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - the live server's http URL
        assert 'type="application/json+oembed"' in answer.headers["Link"]  # what we offer

    markup = rendered_post(wordpress, url)

    assert images(markup), markup
