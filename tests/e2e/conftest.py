"""End-to-end journeys: the DAM as people meet it, in Debian's Chromium, against a real web server and a real
job worker (`runserver` and `qcluster` in processes of their own) over the demo data (`seed_demo`).

One site serves the whole session: starting it (migrate, seed_demo, two processes) costs ~30 s, so journeys
share it and must not depend on one another: each makes what it changes (its own titles) or only reads.
The site has its own SQLite database and data folder; journeys run in the SQLite suite only (the PostgreSQL
suite deselects the `e2e` marker in the Makefile): they test pages, and the database's part in them is
tested on both by the rest of the suite.

Every page a journey opens is watched: a console error, an uncaught script error or a 5xx answer fails the
journey when its page is closed. One console error is expected and let through: a 404 for a revision's
thumbnail or preview (`/assets/<uid>/v<n>/<preset>.jpg`). The worker makes renditions after an upload, and the
review queue and the "similar" list show a revision before its thumbnail exists, with a fallback in its place.
Screenshots go to $DAM_SCREENSHOTS when set, else the test's temp folder.
"""
from __future__ import annotations

import contextlib
import os
import re
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.assets.test_workers_and_s3 import MANAGE, ROOT, end_session, free_port
from tests.browser import NEEDS_BROWSER, launch, sync_playwright

PASSWORD = "demo-pass-2026"  # seed_demo's default
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/tests/e2e/" in str(item.path):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)
            for mark in NEEDS_BROWSER:
                item.add_marker(mark)


RENDITION_IMAGE = re.compile(r"/assets/[0-9a-f-]{36}/v\d+/[a-z_]+\.jpg$")


def _rendition_not_made_yet(text: str, url: str) -> bool:
    return "status of 404" in text and bool(RENDITION_IMAGE.search(url))


@dataclass
class Site:
    url: str
    env: dict[str, str]
    shots: Path

    def manage(self, *args: str, stdin: str | None = None) -> str:
        """Run a management command against the site's own database (e.g. `shell -c ...` to set data up)."""
        done = subprocess.run([*MANAGE, *args], env=self.env, cwd=ROOT, input=stdin, capture_output=True,  # noqa: S603
                              text=True, timeout=120, check=True)
        return done.stdout

    def python(self, code: str) -> str:
        """Run Python with Django set up, against the site's database; returns what it printed."""
        return self.manage("shell", "-c", code)


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our loopback server
            return
        time.sleep(0.3)
    raise RuntimeError(f"the site did not answer at {url} within {seconds:g} s")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    root = tmp_path_factory.mktemp("e2e-site")
    port = free_port()
    env = {**os.environ, "DAM_DATA_DIR": str(root / "data"), "DATABASE_URL": f"sqlite:///{root / 'site.sqlite3'}",
           "DAM_SYNC_TASKS": "0", "DAM_WORKERS": "1", "PYTHONPATH": str(ROOT), "DAM_DEBUG": "0",
           "DAM_SECRET_KEY": "e2e-secret-key-not-for-production-0123456789abcdef",
           "DAM_ALLOWED_HOSTS": "127.0.0.1,localhost", "DAM_BASE_URL": f"http://127.0.0.1:{port}"}
    env.pop("PYTEST_CURRENT_TEST", None)
    for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["seed_demo"]):
        subprocess.run([*MANAGE, *command], env=env, cwd=ROOT, check=True, timeout=300,  # noqa: S603
                       stdout=subprocess.DEVNULL)
    server = subprocess.Popen([*MANAGE, "runserver", f"127.0.0.1:{port}", "--noreload"],  # noqa: S603
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    cluster = subprocess.Popen([*MANAGE, "qcluster"], env=env, cwd=ROOT,  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_for(f"http://127.0.0.1:{port}/accounts/login/", 60)
        shots = Path(os.environ.get("DAM_SCREENSHOTS") or root / "shots")
        shots.mkdir(parents=True, exist_ok=True)
        yield Site(f"http://127.0.0.1:{port}", env, shots)
    finally:
        for process in (server, cluster):
            process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
            end_session(process.pid)


@dataclass
class Watched:
    """A page and what went wrong on it."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def shot(self, site: Site, name: str) -> Path:
        path = site.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sideways_scroll(self) -> int:
        """How many pixels the page scrolls sideways (0 at a phone width means it fits)."""
        return int(self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth"))


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def open_as(site: Site, browser: Any) -> Iterator[Any]:
    """open_as("demo_contributor", PHONE) -> a Watched page signed in as that demo user (None: signed out)."""
    opened: list[Watched] = []

    def open_page(username: str | None, viewport: dict[str, int] = DESKTOP) -> Watched:
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(20_000)
        watched = Watched(page)
        page.on("console", lambda m: watched.problems.append(f"console: {m.text} ({m.location.get('url')})")
                if m.type == "error" and not _rendition_not_made_yet(m.text, m.location.get("url", "")) else None)
        page.on("pageerror", lambda exc: watched.problems.append(f"script: {exc}"))
        page.on("response", lambda r: watched.problems.append(f"{r.status} from {r.url}") if r.status >= 500
                else None)
        if username:
            page.goto(f"{site.url}/accounts/login/")
            page.fill("input[name=username]", username)
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(f"{site.url}/")
        opened.append(watched)
        return watched

    yield open_page
    problems = [p for w in opened for p in w.problems]
    for watched in opened:
        watched.page.context.close()
    assert not problems, "\n".join(problems)
