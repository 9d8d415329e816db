"""seed_demo takes its samples through the workflow, so viewers see approved assets and every queue has work."""
from __future__ import annotations

import io

from django.core.management import call_command

from accounts.models import AuditEvent, User
from assets.models import Asset, ReviewState
from assets.selectors import assets_visible_to
from workflows import selectors


def test_seed_demo_approves_through_the_workflow(db):
    call_command("seed_demo", stdout=io.StringIO())
    states = sorted(Asset.objects.values_list("current_version__review_state", flat=True))
    assert states == sorted([ReviewState.APPROVED] * 4 + [ReviewState.IN_REVIEW, ReviewState.CHANGES_REQUESTED])
    assert AuditEvent.objects.filter(verb="workflows.version.approved").count() == 4
    viewer = User.objects.get(username="demo_viewer")
    assert Asset.objects.filter(approved_version__isnull=False).count() == 4
    assert selectors.reviews_waiting_for(User.objects.get(username="demo_editor")).count() == 1
    assert selectors.changes_requested_for(User.objects.get(username="demo_contributor")).count() == 1
    assert assets_visible_to(viewer).count() == 4
    call_command("seed_demo", stdout=io.StringIO())  # still idempotent
    assert AuditEvent.objects.filter(verb="workflows.version.approved").count() == 4
