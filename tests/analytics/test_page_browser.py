"""The analytics page in a real browser: its charts are drawn (canvas pixels that are not blank), at desktop
width and at 390 px, with no console errors; and the asset page's usage chart too.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright for Python; the test is skipped without them.
Screenshots go to the test's temporary folder, or to $DAM_SCREENSHOTS when set (to look at them).
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from accounts.roles import Role
from distribution.models import DownloadEvent
from tests.browser import NEEDS_BROWSER, launch, sync_playwright
from tests.factories import make_asset, make_user

pytestmark = NEEDS_BROWSER

# How many of a canvas's pixels are drawn (not transparent), read in the page.
DRAWN_PIXELS = """canvas => {
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) drawn += 1; }
  return drawn;
}"""


@pytest.fixture
def site(live_server: Any) -> dict[str, Any]:
    make_user("ann", Role.ADMIN)
    harbour = make_asset(None, title="Harbour at dawn", approved=True)
    field = make_asset(None, title="Quiet field", approved=True)
    make_asset(None, title="Never used")
    for asset, channels in ((harbour, ["web", "web", "share", "delivery"]), (field, ["web"])):
        for channel in channels:
            DownloadEvent.objects.create(asset=asset, version_id=asset.approved_version_id, rendition="original",
                                         channel=channel)
    return {"url": live_server.url, "asset": harbour.get_absolute_url()}


def _in_a_thread(work: Any) -> Any:
    """Playwright's sync API runs an event loop in greenlets of the calling thread, which must not be the
    test's (its database connection lives in that thread's context), as in tests/distribution's picker test."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as exc:  # handed to the test's thread, raised there
            outcome["error"] = exc

    driver = threading.Thread(target=run, name="playwright")
    driver.start()
    driver.join(180)
    deadline = time.monotonic() + 10
    for thread in threading.enumerate():  # the live server's requests, before teardown empties the database
        if "process_request_thread" in thread.name:
            thread.join(max(0.0, deadline - time.monotonic()))
    if "error" in outcome:
        raise outcome["error"]
    assert "value" in outcome, "the browser did not finish in three minutes"
    return outcome["value"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_the_charts_are_drawn_without_console_errors(site: dict[str, Any], tmp_path: Path) -> None:
    shots = Path(os.environ.get("DAM_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    def browse() -> dict[str, Any]:
        assert sync_playwright is not None
        seen: dict[str, Any] = {"errors": [], "drawn": {}}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.set_default_timeout(20_000)
                # The browser's own request for /favicon.ico (the DAM has none) is not the page's error.
                page.on("console", lambda m: seen["errors"].append(f"{m.text} {m.location.get('url')}")
                        if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
                page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
                page.goto(f"{site['url']}/accounts/login/")
                page.fill("input[name=username]", "ann")
                page.fill("input[name=password]", "pw-ann")
                page.click("button[type=submit], input[type=submit]")
                page.wait_for_url(f"{site['url']}/")
                for width, height in ((1280, 900), (390, 844)):
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(f"{site['url']}/analytics/?period=30d")
                    page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length > 0")
                    for panel in ("downloads_by_day", "top_assets", "assets_by_type_state"):
                        canvas = page.locator(f"#panel-{panel} canvas")
                        seen["drawn"][(width, panel)] = canvas.evaluate(DRAWN_PIXELS)
                    seen[f"overflow_{width}"] = page.evaluate(
                        "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                    page.screenshot(path=str(shots / f"analytics-{width}.png"), full_page=True)
                page.set_viewport_size({"width": 1280, "height": 900})
                page.goto(f"{site['url']}{site['asset']}")
                canvas = page.locator(".usage-panel canvas")
                page.wait_for_function("window.Chart && Object.keys(window.Chart.instances).length > 0")
                seen["usage_drawn"] = canvas.evaluate(DRAWN_PIXELS)
                canvas.scroll_into_view_if_needed()
                page.locator(".usage-panel").screenshot(path=str(shots / "asset-usage.png"))
            finally:
                browser.close()
        return seen

    seen = _in_a_thread(browse)
    assert seen["errors"] == []
    for (width, panel), drawn in seen["drawn"].items():
        assert drawn > 500, f"the {panel} chart is blank at {width} px"
    assert seen["usage_drawn"] > 200
    assert (shots / "analytics-390.png").stat().st_size > 10_000
