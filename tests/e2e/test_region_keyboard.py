"""A region comment made with the keyboard alone: Tab to "Mark a region", arrow keys move the box, Shift with
arrow keys resizes it (a live readout says where it is), Enter goes to the comment, and the comment is stored
with the box's fractions. Then the contributor, on a phone, focuses the comment and sees its region light up."""
from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.conftest import DESKTOP, PHONE
from tests.e2e.test_review import run

SETUP = """
import io, json
from PIL import Image
from accounts.models import User
from assets.selectors import collections_for_upload
from ingest.services import asset_ingest
from workflows import services
contributor = User.objects.get(username="demo_contributor")
seed = sum(map(ord, TITLE))
out = io.BytesIO(); Image.new("RGB", (800, 500), (seed % 256, 90, 160)).save(out, "JPEG"); out.seek(0)
folder = collections_for_upload(contributor).order_by("path").first()
asset = asset_ingest(fileobj=out, filename="quay.jpg", actor=contributor, collection=folder, title=TITLE)
services.version_submit(version_id=asset.current_version_id, actor=contributor, comment="Quay, first cut")
print(json.dumps({"version": asset.current_version_id}))
"""


def tab_to(page, selector: str, presses: int = 80) -> None:
    """Press Tab until the element matching `selector` has the focus, as a keyboard user would."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    pytest.fail(f"Tab never reached {selector}")


def test_a_region_comment_made_with_the_keyboard_only(site, open_as):
    made = run(site, f"TITLE = {'Quay ' + uuid.uuid4().hex[:6]!r}\n" + SETUP)
    editor = open_as("demo_editor", DESKTOP)
    page = editor.page
    page.goto(f"{site.url}/reviews/versions/{made['version']}/")

    # Escape takes the box away again, back to the button, and the comment would be on the whole image.
    tab_to(page, "[data-mark-region]")
    page.keyboard.press("Enter")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.matches('[data-mark-region]')")
    assert page.input_value("input[name=region]") == "" and not page.locator("#region-marker").is_visible()

    page.keyboard.press("Enter")
    marker = page.locator("#region-marker")
    assert page.evaluate("document.activeElement.id") == "region-marker" and marker.is_visible()
    readout = page.locator("[data-region-readout]")
    assert readout.inner_text() == "Region at 30%, 30%, 40% wide, 40% high"
    for key in ["ArrowRight"] * 3 + ["ArrowDown"] * 2 + ["Shift+ArrowLeft"] * 5 + ["Shift+ArrowUp"] * 5:
        page.keyboard.press(key)
    assert readout.inner_text() == "Region at 36%, 34%, 30% wide, 30% high"
    # Escape would cancel; Enter goes to the comment with the region kept.
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_body"
    assert "region at 36%, 34%, 30% wide, 30% high" in page.locator("[data-region-label]").inner_text()
    page.keyboard.type("The bollard on the left is cut off.")
    editor.shot(site, "region-keyboard-marked-desktop")
    tab_to(page, "#comment-form button:not([type=button])")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    stored = json.loads(site.python(
        "import json; from workflows.models import Comment; "
        f"c = Comment.objects.filter(version_id={made['version']}).get(); print(json.dumps([c.body, c.region]))"
    ).strip().splitlines()[-1])
    assert stored[0] == "The bollard on the left is cut off."
    assert stored[1] == pytest.approx({"x": 0.36, "y": 0.34, "w": 0.3, "h": 0.3})

    # The contributor, on a phone, reaches the comment with the keyboard: its region on the picture lights up.
    contributor = open_as("demo_contributor", PHONE)
    page = contributor.page
    page.goto(f"{site.url}/reviews/versions/{made['version']}/")
    assert contributor.sideways_scroll() == 0
    tab_to(page, "li.comment[data-comment]")
    assert page.locator("a.region.lit").count() == 1
    assert "The bollard" in (page.locator("a.region.lit").get_attribute("aria-label") or "")
    contributor.shot(site, "region-comment-focused-phone")
