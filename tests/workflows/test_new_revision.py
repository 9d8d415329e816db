"""A new revision uploaded while one is in review withdraws that review, and the reviewers are told."""
from __future__ import annotations

import io

from accounts.models import AuditEvent
from assets.models import Asset, ReviewState
from tests.factories import png_bytes, upload_as
from workflows import services
from workflows.models import Notification, Review


def test_a_new_revision_withdraws_the_running_review(api, people, django_capture_on_commit_callbacks):
    asset = upload_as(people["contributor"])
    first = asset.current_version
    services.version_submit(version_id=first.pk, actor=people["contributor"])
    services.version_approve(version_id=first.pk, actor=people["editor"])  # step 2 (brand managers) is open
    with django_capture_on_commit_callbacks(execute=True):
        response = api["contributor"].post(f"/api/v1/assets/{asset.uid}/versions/",
                                           {"file": io.BytesIO(png_bytes()), "change_note": "Fixed crop"},
                                           format="multipart")
    assert response.status_code == 201
    first.refresh_from_db()
    assert first.review_state == ReviewState.DRAFT
    review = Review.objects.get(version=first)
    assert review.outcome == Review.Outcome.WITHDRAWN
    event = AuditEvent.objects.get(verb="workflows.version.withdrawn")
    assert event.actor is None and "v2 was uploaded" in event.data["reason"]
    told = Notification.objects.filter(verb="workflows.version.withdrawn")
    # The editor who signed step 1 and the brand managers whose step was open.
    assert {n.recipient.username for n in told} == {"editor", "brand_manager"}
    # The old revision can no longer be signed; the new one waits in draft for its own submission.
    stale = api["brand_manager"].post(f"/api/v1/versions/{first.pk}/approve/", {}, format="json")
    assert stale.status_code == 409
    assert Asset.objects.get(pk=asset.pk).current_version.review_state == ReviewState.DRAFT


def test_withdrawing_twice_is_harmless_for_the_listener(people):
    asset = upload_as(people["contributor"])
    version = asset.current_version
    assert services.review_withdraw_for_new_revision(version_id=version.pk, new_version_id=version.pk) is False
    assert not AuditEvent.objects.filter(verb="workflows.version.withdrawn").exists()
