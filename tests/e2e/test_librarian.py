"""The librarian's day in a browser: two identical proposals answered at once by typing a label and choosing
the term with the keyboard; a merge that says how many assets it re-tags before doing it; the queue on a
phone. The detailed rules are in tests/taxonomy/test_librarian_queue.py."""
from __future__ import annotations

import json
import uuid

from tests.e2e.conftest import DESKTOP, PHONE

SETUP = """
import json
from assets.models import Asset, AssetTerm
from taxonomy import proposals, services
from taxonomy.models import Term
tag = {tag!r}
assets = list(Asset.objects.order_by("pk")[:3])
for asset in assets[:2]:
    proposals.proposal_create(asset=asset, label="Dock cranes " + tag, actor=None)
proposals.proposal_create(asset=assets[2], label="Lone wish " + tag, actor=None)
harbours = Term.objects.get(label="Harbours")
source = services.term_create(vocabulary=harbours.vocabulary, labels=[("pref", "en", "Moorings " + tag)], actor=None)
for asset in assets[:2]:
    AssetTerm.objects.create(asset=asset, term=source)
print(json.dumps({{"source": source.pk}}))
"""


def _choose(page, field, typed: str, wanted: str) -> None:
    """Type into a term picker, walk the suggestions with the arrow keys and take `wanted` with Enter."""
    field.fill(typed)
    listbox = page.locator(f"#{field.get_attribute('aria-controls')}")
    listbox.locator("[role=option]").first.wait_for()
    assert field.get_attribute("aria-expanded") == "true"
    options = listbox.locator("[role=option] strong").all_inner_texts()
    for _ in range(options.index(wanted) + 1):
        field.press("ArrowDown")
    active = field.get_attribute("aria-activedescendant")
    assert page.locator(f"#{active} strong").inner_text() == wanted
    field.press("Enter")
    assert field.input_value() == wanted and field.get_attribute("aria-expanded") == "false"


def test_librarian_maps_identical_proposals_by_label_and_merges_with_a_count(site, open_as):
    tag = uuid.uuid4().hex[:6]
    made = json.loads(site.python(SETUP.format(tag=tag)).strip().splitlines()[-1])
    desk = open_as("demo_librarian", DESKTOP)
    page = desk.page
    page.goto(f"{site.url}/assets/proposals/")
    card = page.locator("section.proposal", has_text=f"Dock cranes {tag}")
    assert "2 proposals" in card.inner_text()
    desk.shot(site, "librarian-queue-desktop")
    _choose(page, card.locator("form.proposal-map input[role=combobox]"), "harb", "Harbours")
    assert "Harbours" in card.locator("form.proposal-map [data-path]").inner_text()  # the chosen term's path
    card.locator("form.proposal-map button[type=submit]").click()
    assert f"“Dock cranes {tag}” was mapped to “Harbours” (2 proposals)" in page.locator(".msg-success").inner_text()
    assert page.locator("section.proposal", has_text=f"Dock cranes {tag}").count() == 0

    page.goto(f"{site.url}/vocabulary/terms/{made['source']}/")
    merge = page.locator("form", has_text="Merge into another term")
    _choose(page, merge.locator("input[role=combobox]"), "boat", "Boats")
    merge.locator("button[type=submit]").click()
    preview = page.locator("[data-preview]")
    assert preview.locator("[data-retag-count]").get_attribute("data-retag-count") == "2"
    assert f"2 assets carrying “Moorings {tag}” will be re-tagged with “Boats”" in preview.inner_text()
    desk.shot(site, "librarian-merge-confirm-desktop")
    page.get_by_role("button", name="Merge and re-tag 2 assets").click()
    assert f"“Moorings {tag}” was merged into “Boats”" in page.locator(".msg-success").inner_text()

    phone = open_as("demo_librarian", PHONE)
    phone.page.goto(f"{site.url}/assets/proposals/")
    lone = phone.page.locator("section.proposal", has_text=f"Lone wish {tag}")
    lone.locator("input[role=combobox]").first.fill("boat")
    lone.locator("[role=option]").first.wait_for()
    assert phone.sideways_scroll() == 0
    phone.shot(site, "librarian-queue-phone")
