"""Debian's Chromium driven by Playwright for Python, for the tests that look at pages in a real browser.

A module using it sets `pytestmark = NEEDS_BROWSER` (skipped without Playwright or /usr/bin/chromium) and
opens the browser with `launch(playwright)`; never `playwright install`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")

try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the dev requirements install it
    sync_playwright = None  # type: ignore[assignment]

NEEDS_BROWSER = [
    pytest.mark.skipif(sync_playwright is None, reason="playwright is not installed (requirements-dev.txt)"),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (apt-get install chromium)"),
]


def launch(playwright: Any) -> Any:
    """A headless Chromium that runs as root in a container and reaches nothing outside the test."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
