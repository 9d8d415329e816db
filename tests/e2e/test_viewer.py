"""Viewers and everyone: a viewer finds a picture by colour, opens it and downloads it in a preset size; a visitor
of a share link that is gone or never was sees the app's own page; every sidebar page fits a phone; the keyboard
reaches the content by a skip link and shows where it is."""
from __future__ import annotations

import time

from tests.e2e.conftest import DESKTOP, PHONE

BLUE = "Team at the spring offsite"  # seed_demo's blue sample


def test_a_viewer_finds_by_colour_opens_and_downloads_a_preset(site, open_as):
    viewer = open_as("demo_viewer", DESKTOP)
    page = viewer.page
    page.goto(f"{site.url}/assets/search/")
    page.click("button.sw[title=blue]")  # the blue swatch of the colour filter
    page.click("form.advanced button[type=submit]")
    page.wait_for_url("**/assets/?*color=*")
    # Colours come from thumbnails, which the worker makes after seed_demo: on a fresh site, wait for them.
    deadline = time.monotonic() + 150
    while not page.locator(f".grid .tile:has-text('{BLUE}')").count() and time.monotonic() < deadline:
        page.wait_for_timeout(3000)
        page.reload()
    facet_blue = int(page.locator(".facet .swatches li", has_text="Blue").locator(".n").inner_text())
    assert page.locator(".grid .tile").count() >= facet_blue >= 1  # the swatch finds what the family facet counts
    viewer.shot(site, "viewer-colour-results-desktop")
    page.click(f".grid .tile a:has-text('{BLUE}')")
    page.wait_for_selector("h1:has-text('Team at the spring offsite')")
    assert page.locator("ul.asset-colors li").count() >= 1  # its dominant colours, each a "close to" link
    offered = page.locator("#downloads .preset-list li").all_inner_texts()
    assert any(t.startswith("Web") and "JPEG" in t for t in offered), offered
    assert any(t.startswith("Print") for t in offered), offered
    with page.expect_download() as download:
        page.click("#downloads .preset-list a:text-is('Web')")
    path = download.value.path()
    assert path is not None and path.stat().st_size > 1000
    viewer.shot(site, "viewer-asset-desktop")


def test_visitors_of_a_gone_or_unknown_share_link_see_the_apps_own_page(site, open_as):
    token = site.python(
        "from datetime import timedelta\n"
        "from django.utils import timezone\n"
        "from distribution.models import ShareLink\n"
        "link = ShareLink.objects.get(title='Summer picks for the agency')\n"
        "copy = ShareLink.objects.create(token=link.token[:-6] + 'e2egon', title='Gone picks',"
        " created_by=link.created_by, presets=link.presets, expires_at=timezone.now() - timedelta(days=1))\n"
        "print(copy.token)").strip().splitlines()[-1]
    visitor = open_as(None, PHONE)
    page = visitor.page
    live = page.goto(f"{site.url}/s/{token[:-6]}/")  # not a token: a 404
    assert live is not None and live.status == 404
    assert "Not found" in page.title() and "URLconf" not in page.content()
    gone = page.goto(f"{site.url}/s/{token}/")
    assert gone is not None and gone.status == 410
    assert page.locator("h1").count() >= 1 and "Traceback" not in page.content()
    assert visitor.sideways_scroll() == 0
    visitor.shot(site, "visitor-share-gone-phone")
    # Chromium logs every 4xx document as a console error: these two are the answers this test asked for.
    visitor.problems[:] = [p for p in visitor.problems if f"/s/{token[:-6]}" not in p]


def _renditions_settled(site):
    """Wait (up to a minute) until the worker has made the demo's thumbnails: a thumbnail being remade while a
    lazy <img> asks for it answers 404, which the watched page counts as an error (seen once on a fresh site).
    Only thumbnails: a preset's copy stays pending until someone asks for it."""
    deadline = time.monotonic() + 60
    code = ("from assets.models import Rendition\n"
            "print(Rendition.objects.filter(status='pending', preset='thumb', variant='').count())")
    while int(site.python(code).strip().splitlines()[-1]) and time.monotonic() < deadline:
        time.sleep(5)


def _sidebar_fits_a_phone(site, watched, name):
    page = watched.page
    page.goto(f"{site.url}/")
    links = page.eval_on_selector_all(".sidebar .nav-body a[href^='/']", "els => els.map(a => a.getAttribute('href'))")
    links = [href for href in dict.fromkeys(links) if not href.startswith("/api/")]
    assert len(links) >= 5
    wide = {}
    for href in links:
        page.goto(f"{site.url}{href}")
        if watched.sideways_scroll():
            wide[href] = watched.sideways_scroll()
    assert not wide, f"{name}: pages that scroll sideways at 390 px: {wide}"


def test_every_sidebar_page_fits_a_phone_for_a_viewer_and_an_admin(site, open_as):
    _renditions_settled(site)
    viewer = open_as("demo_viewer", PHONE)
    _sidebar_fits_a_phone(site, viewer, "demo_viewer")
    viewer.page.goto(f"{site.url}/assets/")
    assert viewer.page.locator(".facets").is_hidden()  # facets wait behind the Filters button
    viewer.page.click("label.facets-toggle-label")
    assert viewer.page.locator(".facets").is_visible()
    viewer.shot(site, "viewer-assets-filters-phone")
    admin = open_as("demo_admin", PHONE)
    _sidebar_fits_a_phone(site, admin, "demo_admin")
    admin.page.goto(f"{site.url}/assets/?view=table")
    assert admin.sideways_scroll() == 0
    admin.shot(site, "admin-assets-table-phone")


def test_the_keyboard_skips_to_the_content_and_shows_a_focus_ring(site, open_as):
    viewer = open_as("demo_viewer", DESKTOP)
    page = viewer.page
    page.goto(f"{site.url}/assets/")
    page.keyboard.press("Tab")
    skip = page.evaluate("() => { const e = document.activeElement; const r = e.getBoundingClientRect();"
                         " return {text: e.textContent, top: r.top, visible: r.bottom > 0}; }")
    assert skip["text"] == "Skip to content" and skip["visible"], skip
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"
    page.keyboard.press("Tab")
    ring = page.evaluate("() => { const e = document.activeElement, s = getComputedStyle(e);"
                         " return {inMain: !!e.closest('main'), style: s.outlineStyle,"
                         " width: parseFloat(s.outlineWidth)}; }")
    assert ring["inMain"] and ring["style"] != "none" and ring["width"] >= 2, ring
    viewer.shot(site, "viewer-focus-ring-desktop")
    # In the dark sidebar too.
    page.focus(".sidebar .nav-body a")
    page.keyboard.press("Tab")
    dark = page.evaluate("() => { const s = getComputedStyle(document.activeElement);"
                         " return {style: s.outlineStyle, colour: s.outlineColor}; }")
    assert dark["style"] != "none" and dark["colour"] != "rgb(29, 78, 216)", dark  # light ring on the dark bar
