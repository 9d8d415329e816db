"""seed_demo takes its samples through the workflow, so viewers see approved assets and every queue has work."""
from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import call_command
from PIL import Image

from accounts.models import AuditEvent, User
from assets.models import Asset, ReviewState
from assets.selectors import assets_visible_to, missing_required_fields
from dam import demo_media
from dam.management.commands.seed_demo import DRAFT_PRODUCT, SKU
from distribution.models import ShareLink
from taxonomy.models import MetadataField
from workflows import selectors


def test_seed_demo_approves_through_the_workflow(db):
    call_command("seed_demo", stdout=io.StringIO())
    states = Counter(Asset.objects.values_list("current_version__review_state", flat=True))
    # Every state a review can leave a revision in is there to look at.
    assert {ReviewState.DRAFT, ReviewState.IN_REVIEW, ReviewState.CHANGES_REQUESTED, ReviewState.APPROVED,
            ReviewState.REJECTED} <= set(states)
    approved = states[ReviewState.APPROVED]
    assert AuditEvent.objects.filter(verb="workflows.version.approved").count() == approved  # the final step of each
    viewer = User.objects.get(username="demo_viewer")
    assert Asset.objects.filter(approved_version__isnull=False).count() == approved
    assert selectors.reviews_waiting_for(User.objects.get(username="demo_editor")).count() == 1
    assert selectors.changes_requested_for(User.objects.get(username="demo_contributor")).count() == 1
    assert assets_visible_to(viewer).count() == approved
    call_command("seed_demo", stdout=io.StringIO())  # still idempotent
    assert AuditEvent.objects.filter(verb="workflows.version.approved").count() == approved


def test_seed_demo_shows_every_kind_of_file_a_required_field_and_a_share_link(db):
    call_command("seed_demo", stdout=io.StringIO())
    kinds = set(Asset.objects.values_list("asset_type", flat=True))
    assert {"image", "video", "audio", "document"} <= kinds
    assert MetadataField.objects.get(key="season").required
    assert missing_required_fields(Asset.objects.get(title=DRAFT_PRODUCT)) == ["Season"]
    assert Asset.objects.get(title="Product shot: trail shoe").metadata["sku"] == SKU
    # The hang tag's QR code holds that SKU (read back with the barcode reader content analysis uses).
    zxingcpp = pytest.importorskip("zxingcpp")
    tag = Image.open(io.BytesIO(demo_media.hang_tag(SKU)))
    assert [r.text for r in zxingcpp.read_barcodes(tag)] == [SKU]
    link = ShareLink.objects.get()
    assert link.assets.count() == 3 and set(link.presets) == {"web", "print"}
    assert User.objects.get(username="demo_viewer").get_full_name()  # pages say names, not user names
