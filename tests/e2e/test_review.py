"""Reviewers and brand managers, in the browser: a contributor's revision is sent back with a decision note, the
note reaches the contributor, the next revision is compared with the one sent back (labelled sides, its comments
faded), two different people pass the two steps and the same person is refused the second one; dashboards show
what waits for each. At desktop and at 390 px; the data is the journey's own (a unique title)."""
from __future__ import annotations

import json
import re
import subprocess
import textwrap
import uuid

import pytest

from tests.e2e.conftest import DESKTOP, PHONE

SETUP = """
import io, json
from PIL import Image
from accounts.models import User
from assets.selectors import collections_for_upload
from ingest.services import asset_ingest
from workflows import selectors, services
def picture(colour):  # a colour of the journey's own, so the file is no duplicate of an earlier run's
    seed = sum(map(ord, TITLE)); colour = tuple((c + seed) % 256 for c in colour)
    out = io.BytesIO(); Image.new("RGB", (900, 600), colour).save(out, "JPEG"); out.seek(0); return out
contributor = User.objects.get(username="demo_contributor"); editor = User.objects.get(username="demo_editor")
folder = collections_for_upload(contributor).order_by("path").first()
asset = asset_ingest(fileobj=picture((200, 120, 40)), filename="banner-v1.jpg", actor=contributor, collection=folder,
                     title=TITLE)
asset.owner = contributor; asset.save(update_fields=["owner"])
v1 = asset.current_version
services.version_submit(version_id=v1.pk, actor=contributor, comment="First cut")
services.comment_add(version=selectors.access_version(editor, v1.pk), actor=editor, body="The logo is cut off here.",
                     region={"x": 0.1, "y": 0.1, "w": 0.35, "h": 0.3})
print(json.dumps({"uid": str(asset.uid), "v1": v1.pk}))
"""

NEW_REVISION = """
import io, json
from PIL import Image
from accounts.models import User
from assets.models import Asset
from ingest.services import version_ingest
from workflows import services
contributor = User.objects.get(username="demo_contributor")
out = io.BytesIO(); Image.new("RGB", (900, 600), (40, 120, sum(map(ord, UID)) % 256)).save(out, "JPEG"); out.seek(0)
v2 = version_ingest(asset=Asset.objects.get(uid=UID), fileobj=out, filename="banner-v2.jpg", actor=contributor,
                    change_note="Logo moved")
services.version_submit(version_id=v2.pk, actor=contributor, comment="Logo moved in")
print(json.dumps({"v2": v2.pk}))
"""


def run(site, code: str) -> dict:
    """Set data up on the site as its people would have (through the services); returns what the code printed.

    In one transaction: SQLite's IMMEDIATE transactions wait for the write lock the job worker may hold, where
    a write in autocommit would be told at once that the database is locked.
    """
    wrapped = "from django.db import transaction\nwith transaction.atomic():\n" + textwrap.indent(code, "    ")
    try:
        return json.loads(site.python(wrapped).strip().splitlines()[-1])
    except subprocess.CalledProcessError as exc:
        said = "\n".join(line for line in exc.stderr.splitlines() if "Enqueued" not in line)
        pytest.fail(f"setting up failed: {said[-3000:]}")


def test_review_across_revisions_with_four_eyes(site, open_as):
    title = f"Harbour banner {uuid.uuid4().hex[:6]}"
    made = run(site, f"TITLE = {title!r}\n" + SETUP)
    note = "Use the new logo lock-up, bottom right."

    # The editor sends v1 back with a decision note.
    editor = open_as("demo_editor", DESKTOP)
    editor.page.goto(f"{site.url}/reviews/versions/{made['v1']}/")
    assert editor.page.locator("label[for=id_comment]").inner_text() == "Decision note"
    assert editor.page.locator("label[for=id_body]").inner_text().startswith("Comment")
    editor.page.fill("#id_comment", note)
    editor.page.click("button:has-text('Request changes')")
    editor.page.wait_for_selector(".msg-success")

    # The contributor reads it on the asset page and in the notification, on a phone.
    contributor = open_as("demo_contributor", PHONE)
    contributor.page.goto(f"{site.url}/assets/{made['uid']}/")
    feedback = contributor.page.locator("#review-feedback")
    assert "v1, changes requested" in feedback.inner_text() and note in feedback.inner_text()
    assert contributor.sideways_scroll() == 0
    contributor.shot(site, "review-feedback-on-asset-phone")
    contributor.page.goto(f"{site.url}/reviews/notifications/")
    assert note in contributor.page.locator(".notification-group").first.inner_text()
    contributor.page.goto(f"{site.url}/")
    assert "of your drafts" in contributor.page.locator(".todo").inner_text()
    assert contributor.sideways_scroll() == 0
    contributor.shot(site, "review-dashboard-contributor-phone")

    # v2 is compared with v1, sent back: both sides labelled in every mode, v1's comment faded on v2.
    v2 = run(site, f"UID = {made['uid']!r}\n" + NEW_REVISION)["v2"]
    admin = open_as("demo_admin", DESKTOP)
    admin.page.goto(f"{site.url}/reviews/versions/{v2}/")
    legend = admin.page.locator(".compare-legend")
    assert "v1, changes requested" in legend.inner_text() and "v2, in review" in legend.inner_text()
    assert note in admin.page.locator(".feedback").inner_text()
    assert admin.page.locator(".region.earlier").count() == 1
    for mode in ("slider", "overlay"):
        admin.page.click(f"[data-mode={mode}]")
        assert legend.is_visible() and "v1, changes requested" in legend.inner_text()
    admin.page.click("[data-mode=slider]")
    admin.shot(site, "review-compare-slider-desktop")
    stage = admin.page.locator(".compare-stage").bounding_box()
    card = admin.page.locator(".compare").bounding_box()
    assert stage["width"] > 0.9 * card["width"] and card["width"] > 900  # the panes use the page's width

    # One admin passes step 1, then is refused step 2, in words, and the refusal is on record.
    admin.page.click("button:has-text('Approve')")
    admin.page.wait_for_selector(".msg-success")
    assert "whoever signed step 1" in admin.page.locator(".four-eyes").inner_text()
    assert admin.page.locator("button:has-text('Approve')").count() == 0
    token = admin.page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    refused = admin.page.request.post(f"{site.url}/reviews/versions/{v2}/approve/",
                                      form={"csrfmiddlewaretoken": token, "comment": ""},
                                      headers={"Referer": admin.page.url})
    assert refused.ok and "You may not approve this revision" in refused.text()
    assert "tried to approve" in site.python(
        "from accounts.audit import describe; from accounts.models import AuditEvent; "
        f"print(describe(AuditEvent.objects.filter(verb='workflows.review.decision_refused', "
        f"data__version_id={v2}).get()).text)")

    # A brand manager, another person, gives the final approval on a phone.
    brand = open_as("demo_brand_manager", PHONE)
    brand.page.goto(f"{site.url}/")
    todo = brand.page.locator("[data-todo=reviews]")
    assert re.search(r"\d+ waiting for your sign-off", todo.inner_text())
    brand.shot(site, "review-dashboard-brand-manager-phone")
    todo.locator("a").click()
    brand.page.goto(f"{site.url}/reviews/versions/{v2}/")
    assert brand.sideways_scroll() == 0
    brand.shot(site, "review-page-phone")
    brand.page.click("button:has-text('Approve')")
    assert "approved" in brand.page.locator(".msg-success").inner_text()
    history = open_as("demo_contributor", DESKTOP)
    history.page.goto(f"{site.url}/reviews/assets/{made['uid']}/history/")
    text = history.page.locator(".timeline").first.inner_text()
    assert re.search(r"v1\s+Changes requested", text, re.I) and re.search(r"v2\s+Approved", text, re.I)
