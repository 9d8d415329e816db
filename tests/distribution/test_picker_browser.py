"""The picker in a real browser: docs/picker-example.html, served from a site of its own, opens the picker, a
viewer picks an asset, and the page receives `dam:picked` with a delivery URL that serves the file.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright for Python; the test is skipped without them.
The browser runs in a thread of its own (see _browse).
"""
from __future__ import annotations

import functools
import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from accounts.models import AuditEvent
from accounts.roles import Role
from assets import services as asset_services
from assets.models import Collection, Rendition
from distribution import integrations
from distribution.models import DownloadEvent
from tests.browser import NEEDS_BROWSER, launch, sync_playwright
from tests.factories import make_asset, make_user, png_bytes

DOCS = Path(__file__).resolve().parents[2] / "docs"

pytestmark = NEEDS_BROWSER


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def example_site() -> Iterator[str]:
    """docs/ served by another web server: the application that embeds the picker, at its own origin."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(DOCS)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # "localhost", like the live server: the two are then the same site, so the browser sends the DAM's
    # session cookie (SameSite=Lax) to the framed picker.
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def published(live_server: Any, example_site: str) -> dict[str, Any]:
    make_user("vera", Role.VIEWER)
    asset = make_asset(None, title="Harbour at dawn", approved=True, data=png_bytes(size=(640, 480)))
    Collection.objects.filter(pk=asset.collection_id).update(delivery=Collection.Delivery.PUBLIC)
    if not Rendition.objects.filter(version=asset.approved_version_id, preset="web",
                                    status=Rendition.Status.READY).exists():
        asset_services.renditions_generate(version_id=asset.approved_version_id)
    integrations.integration_create(actor=None, name="Example CMS", allowed_origins=[example_site])
    return {"uid": str(asset.uid), "dam": live_server.url, "site": example_site}


def _browse(published: dict[str, Any], choose: Any, *, signed_in: bool) -> list[dict[str, Any]]:
    """Open the example page (the viewer signed in first, or not) and let `choose(page)` pick; the messages
    the page received.

    The browser is driven from a thread of its own: Playwright's sync API runs an event loop in greenlets of
    the thread that calls it, which must not be the test's, whose database connection (and the copy of the
    database that the tests after this one are restored from) Django keeps in that thread's context.
    """
    outcome: dict[str, Any] = {}

    def drive() -> None:
        try:
            outcome["received"] = _drive(published, choose, signed_in=signed_in)
        except BaseException as exc:  # handed to the test's thread, raised there
            outcome["error"] = exc

    driver = threading.Thread(target=drive, name="playwright")
    driver.start()
    driver.join(120)
    _wait_for_requests()
    if "error" in outcome:
        raise outcome["error"]
    assert "received" in outcome, "the browser did not finish in two minutes"
    return outcome["received"]


def _wait_for_requests() -> None:
    """Let the live server finish the requests the browser left it (the test's teardown empties the
    database under them otherwise)."""
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():
        if "process_request_thread" in thread.name and thread is not threading.current_thread():
            thread.join(max(0.0, deadline - time.monotonic()))


def _drive(published: dict[str, Any], choose: Any, *, signed_in: bool) -> list[dict[str, Any]]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            if signed_in:
                page.goto(f"{published['dam']}/accounts/login/")
                _sign_in(page)
                page.wait_for_url(f"{published['dam']}/")
            page.goto(f"{published['site']}/picker-example.html?dam={published['dam']}")
            choose(page)
            page.wait_for_function("window.received.some(m => m.type === 'dam:picked')")
            # The example renders the picked image from its delivery URL.
            page.wait_for_function(
                f"(() => {{ const img = document.querySelector('#picked li[data-uid=\"{published['uid']}\"] img');"
                " return img && img.complete && img.naturalWidth > 0; })()")
            return json.loads(page.evaluate("JSON.stringify(window.received)"))
        finally:
            browser.close()


def _sign_in(page: Any) -> None:
    page.fill("input[name=username]", "vera")
    page.fill("input[name=password]", "pw-vera")
    page.click("button[type=submit], input[type=submit]")


def _pick_in(frame: Any, uid: str) -> None:
    frame.locator(f"input.pick[value='{uid}']").check()
    frame.locator("select[data-preset]").select_option("web")
    frame.locator("button[data-insert]").click()


def _check(published: dict[str, Any], received: list[dict[str, Any]]) -> None:
    assert received[0] == {"type": "dam:ready"}
    picked = next(m for m in received if m["type"] == "dam:picked")
    assert [a["uid"] for a in picked["assets"]] == [published["uid"]]
    asset = picked["assets"][0]
    assert asset["preset"] == "web" and asset["title"] == "Harbour at dawn" and asset["alt"] == "Harbour at dawn"
    assert (asset["width"], asset["height"]) == (640, 480)
    assert asset["url"] == f"{published['dam']}/d/{published['uid']}/web/harbour-at-dawn.jpg"
    with urllib.request.urlopen(asset["url"], timeout=10) as answer:  # noqa: S310 - the live server's http URL
        assert answer.status == 200
        assert answer.headers["Content-Type"] == "image/jpeg"
        assert answer.read(3) == b"\xff\xd8\xff"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_picking_in_the_embedded_picker(published: dict[str, Any]) -> None:
    def choose(page: Any) -> None:
        page.click("#open-iframe")
        _pick_in(page.frame_locator("#picker-frame"), published["uid"])

    received = _browse(published, choose, signed_in=True)
    _check(published, received)
    event = AuditEvent.objects.get(verb="distribution.picker.picked")
    assert event.data["uids"] == [published["uid"]] and event.data["integration"] == "Example CMS"
    # Picking counted nothing; the example page's <img> and the test's fetch did.
    delivered = DownloadEvent.objects.filter(asset__uid=published["uid"], channel=DownloadEvent.Channel.DELIVERY)
    assert delivered.count() >= 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_in_and_picking_in_the_popup(published: dict[str, Any]) -> None:
    """Signed out: the popup offers sign-in in a window of its own, reloads once signed in and still has its
    opener to post to."""
    def choose(page: Any) -> None:
        with page.expect_popup() as opened:
            page.click("#open-popup")
        popup = opened.value
        with popup.expect_popup() as signing:
            popup.click("[data-signin-open]")
        login = signing.value
        with popup.expect_event("load"):  # told by the signed-in window, the picker reloads
            _sign_in(login)
        with popup.expect_event("close"):  # the picker is closed once it has answered
            _pick_in(popup, published["uid"])

    _check(published, _browse(published, choose, signed_in=False))
