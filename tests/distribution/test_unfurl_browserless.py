"""A share link unfurled by a real unfurler: open-graph-scraper (npm, the library many link-preview services
use), run by node against the live server, reads the page's Open Graph tags; its og:image is fetched without a
session, as an unfurler does. A password-protected link unfurls without the asset's title or picture.

The unfurler is pinned in tests/distribution/unfurl/package-lock.json and installed there with `npm ci` once
per session; the test is skipped without node and npm, or when npm cannot reach its registry.
"""
from __future__ import annotations

import io
import json
import shutil
import subprocess
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from accounts.roles import Role
from assets import services as asset_services
from assets.models import Rendition
from distribution import services
from tests.factories import make_asset, make_user, png_bytes

UNFURL = Path(__file__).resolve().parent / "unfurl"


@pytest.fixture(scope="session")
def unfurler() -> Path:
    """The unfurl script, its dependencies installed from the lock file."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.skip("node and npm are needed to run the unfurler (open-graph-scraper)")
    if not (UNFURL / "node_modules" / "open-graph-scraper").is_dir():
        try:
            installed = subprocess.run(  # noqa: S603 - npm found on PATH, fixed arguments
                [npm, "ci", "--prefix", str(UNFURL), "--no-audit", "--no-fund"],
                capture_output=True, text=True, timeout=300, check=False)
        except subprocess.TimeoutExpired:
            pytest.skip("npm ci took more than five minutes (no network?)")
        if installed.returncode != 0:
            pytest.skip(f"npm ci failed (no network?): {installed.stderr.strip()[-300:]}")
    return UNFURL / "unfurl.mjs"


def unfurl(script: Path, url: str) -> dict[str, Any]:
    node = shutil.which("node")
    assert node is not None
    ran = subprocess.run([node, str(script), url],  # noqa: S603 - the live server's URL, no shell
                         capture_output=True, text=True, timeout=30, check=False)
    assert ran.stdout, ran.stderr
    return json.loads(ran.stdout)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_a_share_link_unfurls_with_its_title_and_a_picture_anyone_can_fetch(live_server: Any, settings: Any,
                                                                             unfurler: Path) -> None:
    settings.DAM_BASE_URL = live_server.url
    editor = make_user("ed", Role.EDITOR)
    asset = make_asset(editor, title="Harbour at dawn", approved=True, data=png_bytes(size=(640, 480)))
    assert asset.approved_version_id is not None
    if not Rendition.objects.filter(version=asset.approved_version_id, preset="preview",
                                    status=Rendition.Status.READY).exists():
        asset_services.renditions_generate(version_id=asset.approved_version_id)
    link = services.share_link_create(actor=editor, assets=[asset], title="Press kit")
    secret = make_asset(editor, title="Secret launch photo", approved=True, data=png_bytes(size=(640, 480)))
    protected = services.share_link_create(actor=editor, assets=[secret], password="open sesame")

    found = unfurl(unfurler, f"{live_server.url}{link.get_absolute_url()}")
    assert found["success"] is True, found
    assert found["ogTitle"] == "Harbour at dawn" and found["twitterCard"] == "summary_large_image"
    assert found["ogUrl"] == f"{live_server.url}{link.get_absolute_url()}"
    image = found["ogImage"][0]
    assert image["url"] == f"{live_server.url}/s/{link.token}/preview/{asset.uid}.jpg"
    assert (str(image["width"]), str(image["height"])) == ("640", "480")
    with urllib.request.urlopen(image["url"], timeout=10) as answer:  # noqa: S310 - the live server's http URL
        assert answer.status == 200 and answer.headers["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(answer.read())).size == (640, 480)

    hidden = unfurl(unfurler, f"{live_server.url}{protected.get_absolute_url()}")
    assert hidden["success"] is True, hidden
    assert hidden["ogTitle"] == "Protected share link" and "ogImage" not in hidden
    assert "Secret launch" not in json.dumps(hidden)
