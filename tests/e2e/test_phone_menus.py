"""A contributor and a librarian open every page of their menu on a phone (390 px): nothing scrolls sideways
and nothing on the page fails (the harness fails the journey on a console error, a script error or a 5xx)."""
from __future__ import annotations

import pytest

from tests.e2e.conftest import PHONE


@pytest.mark.parametrize("username", ["demo_contributor", "demo_librarian"])
def test_every_menu_page_fits_a_phone(site, open_as, username):
    phone = open_as(username, PHONE)
    page = phone.page
    links = page.eval_on_selector_all("nav.sidebar .nav-body ul a", "links => links.map(a => a.pathname)")
    assert len(links) >= 5
    too_wide = {}
    for path in links:
        page.goto(f"{site.url}{path}")
        page.wait_for_load_state("load")
        if phone.sideways_scroll():
            too_wide[path] = phone.sideways_scroll()
            phone.shot(site, f"phone-menu-{username}{path.replace('/', '-')}")
    assert not too_wide, f"pages that scroll sideways at 390 px: {too_wide}"
