"""The harness itself: every demo role signs in and sees the dashboard, at desktop and phone width, with
nothing broken on the page and nothing scrolling sideways on the phone."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE

ROLES = ["demo_admin", "demo_librarian", "demo_brand_manager", "demo_editor", "demo_contributor", "demo_viewer"]


@pytest.mark.parametrize("username", ROLES)
def test_each_role_signs_in_to_a_dashboard_that_fits_a_phone(site, open_as, username):
    desktop = open_as(username, DESKTOP)
    assert desktop.page.locator("h1").count() >= 1
    desktop.shot(site, f"dashboard-{username}-desktop")
    phone = open_as(username, PHONE)
    assert phone.sideways_scroll() == 0
    phone.shot(site, f"dashboard-{username}-phone")
