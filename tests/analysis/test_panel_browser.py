"""The asset page's content-analysis panel in a real browser: "Map to another term" picks a term through the
taxonomy's autocomplete and maps the label; a transcript line seeks the player; no console errors and no
sideways scrolling at 390 px.

Chromium is Debian's (/usr/bin/chromium), driven by Playwright for Python; the test is skipped without them.
Screenshots go to the test's temporary folder, or to $DAM_SCREENSHOTS when set.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from accounts.roles import Role
from analysis.models import AnalysisRun, LabelMapping, TermSuggestion
from taxonomy.models import Vocabulary
from taxonomy.services import term_create
from tests.analysis.test_views import _wav
from tests.analytics.test_page_browser import _in_a_thread
from tests.browser import NEEDS_BROWSER, launch, sync_playwright
from tests.factories import make_asset, make_term, make_user

pytestmark = NEEDS_BROWSER


@pytest.fixture
def site(live_server: Any) -> dict[str, Any]:
    make_user("lena", Role.LIBRARIAN)
    vocabulary = Vocabulary.objects.create(uri="https://vocab.test/subjects/", title="Subjects")
    seal = make_term(vocabulary, "Seal")
    # Through the service, so it has the labels the autocomplete searches.
    harbours = term_create(vocabulary=vocabulary, labels=[("pref", "en", "Harbours")], actor=None)
    recording = make_asset(None, title="Harbour tour", approved=True, data=_wav(2.0), filename="tour.wav")
    TermSuggestion.objects.create(asset=recording, version=recording.current_version, term=seal, analyser="transcript",
                                  raw_label="sea wall", confidence=0.6)
    AnalysisRun.objects.create(version=recording.current_version, analyser="transcript", status="done",
                               text="Welcome. Here is the harbour.", data={"segments": [
                                   {"start": 0.0, "end": 0.9, "text": "Welcome."},
                                   {"start": 1.2, "end": 1.9, "text": "Here is the harbour."}]})
    return {"url": live_server.url, "asset": recording.get_absolute_url(), "harbours": harbours}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_map_picks_a_term_and_a_transcript_line_seeks(site: dict[str, Any], tmp_path: Path) -> None:
    shots = Path(os.environ.get("DAM_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)

    def browse() -> dict[str, Any]:
        assert sync_playwright is not None
        seen: dict[str, Any] = {"errors": []}
        with sync_playwright() as playwright:
            browser = launch(playwright)
            try:
                page = browser.new_page(viewport={"width": 390, "height": 844})
                page.set_default_timeout(20_000)
                page.on("console", lambda m: seen["errors"].append(m.text)
                        if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico") else None)
                page.on("pageerror", lambda exc: seen["errors"].append(str(exc)))
                page.goto(f"{site['url']}/accounts/login/")
                page.fill("input[name=username]", "lena")
                page.fill("input[name=password]", "pw-lena")
                page.click("button[type=submit]")
                page.wait_for_url(f"{site['url']}/")
                page.goto(f"{site['url']}{site['asset']}")
                seen["overflow"] = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth")
                page.click("#content-analysis button.seek >> nth=1")
                page.wait_for_function("document.querySelector('[data-analysis-player]').currentTime >= 1.2")
                page.locator("#content-analysis").screenshot(path=str(shots / "analysis-panel-390.png"))
                page.click("#content-analysis details.map-term summary")
                page.fill("#content-analysis details.map-term input[type=search]", "harb")
                page.click("#content-analysis details.map-term li:has-text('Harbours')")
                page.click("#content-analysis details.map-term button[type=submit]")
                page.wait_for_selector(".msg-success")
                seen["message"] = page.inner_text(".msg-success")
            finally:
                browser.close()
        return seen

    seen = _in_a_thread(browse)
    assert seen["errors"] == []
    assert seen["overflow"] <= 0
    assert "“sea wall” will be suggested as “Harbours” from now on" in seen["message"]
    assert LabelMapping.objects.get(normalized_label="sea wall").term == site["harbours"]
