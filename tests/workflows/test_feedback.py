"""Feedback travels across revisions: the decision note reaches the contributor (asset page, notification) and
the next revision's review page, which compares with the revision sent back and carries its comments."""
from __future__ import annotations

import pytest

from assets.models import Asset, ReviewState
from tests.factories import new_revision, upload_as
from workflows import selectors, services
from workflows.models import Comment, Notification

NOTE = "Use the new logo lock-up, bottom right."


@pytest.fixture
def sent_back(people):
    """v1 uploaded by the contributor, a region comment on it, sent back by the editor with a note."""
    asset = upload_as(people["contributor"], title="Harbour banner")
    v1 = asset.current_version
    services.version_submit(version_id=v1.pk, actor=people["contributor"], comment="First cut")
    region = services.comment_add(version=selectors.access_version(people["editor"], v1.pk),
                                  actor=people["editor"], body="The logo is cut off here.",
                                  region={"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25})
    services.version_request_changes(version_id=v1.pk, actor=people["editor"], comment=NOTE)
    return Asset.objects.get(pk=asset.pk), v1, region


def test_the_note_reaches_the_contributor(web, people, sent_back):
    asset, v1, _ = sent_back
    told = Notification.objects.get(recipient=people["contributor"], verb="workflows.version.changes_requested")
    assert told.message.endswith(f"v1: “{NOTE}”") and "requested changes" in told.message
    page = web("contributor").get(asset.get_absolute_url()).content.decode()
    assert "v1, changes requested:" in page and NOTE in page and "Decision note" in page
    # Viewers see approved work only, and never the reviewers' words.
    assert web("viewer").get(asset.get_absolute_url()).status_code == 404


def test_a_new_revision_leaves_the_one_sent_back_as_it_was(api, people, sent_back, django_capture_on_commit_callbacks):
    asset, v1, _ = sent_back
    with django_capture_on_commit_callbacks(execute=True):
        v2 = new_revision(asset, people["contributor"])
    v1.refresh_from_db()
    assert v1.review_state == ReviewState.CHANGES_REQUESTED
    # It is history now: off the "changes requested" queue, and nobody turns it into a draft any more.
    assert not selectors.changes_requested_for(people["contributor"]).exists()
    withdraw = api["contributor"].post(f"/api/v1/versions/{v1.pk}/withdraw/", {}, format="json")
    assert withdraw.status_code == 409 and "no longer the current revision" in withdraw.json()["detail"]
    assert selectors.decision_actions(people["contributor"], selectors.access_version(people["contributor"], v1.pk)) \
        == []
    assert v2.review_state == ReviewState.DRAFT


def test_the_next_revision_is_compared_with_the_one_sent_back(web, people, sent_back):
    asset, v1, region = sent_back
    v2 = new_revision(asset, people["contributor"])
    services.version_submit(version_id=v2.pk, actor=people["contributor"], comment="Logo moved")
    response = web("editor").get(f"/reviews/versions/{v2.pk}/")
    page = response.content.decode()
    assert response.context["base"] == v1
    assert "v1, changes requested" in page and "v2, in review" in page
    assert "v2 compared with v1" in page and 'data-mode="slider"' in page
    assert NOTE in page  # the previous decision note, on the next revision's page
    assert f'id="comment-{region.pk}"' in page and "region earlier" in page and "The logo is cut off here." in page
    assert "Decision note" in page and '<label for="id_body">Comment' in page
    # The file facts are compared with v1 although it was never approved.
    sha = next(row for row in response.context["diff"] if row["label"] == "Sha256")
    assert sha["old"] == v1.sha256 and sha["new"] == v2.sha256 and sha["changed"]


def test_a_comment_of_the_revision_before_is_resolved_from_the_next_one(web, people, sent_back):
    asset, _, region = sent_back
    v2 = new_revision(asset, people["contributor"])
    client = web("contributor")  # the asset's owner closes threads on it
    here = f"/reviews/versions/{v2.pk}/"
    response = client.post(f"/reviews/comments/{region.pk}/resolve/", {"resolved": "1", "next": here})
    assert response.status_code == 302 and response["Location"] == here
    region.refresh_from_db()
    assert region.resolved_by == people["contributor"]
    page = client.get(here).content.decode()
    assert "resolved by" in page and "region earlier resolved" in page
    # A foreign address is not followed.
    response = client.post(f"/reviews/comments/{region.pk}/resolve/", {"resolved": "0", "next": "https://evil.test/"})
    assert response["Location"].startswith(f"/reviews/versions/{region.version_id}/")
    assert Comment.objects.get(pk=region.pk).resolved_at is None


def test_rejected_and_draft_revisions_are_compared_too(web, people):
    asset = upload_as(people["contributor"], title="Shoe shot")
    v1 = asset.current_version
    services.version_submit(version_id=v1.pk, actor=people["contributor"])
    services.version_reject(version_id=v1.pk, actor=people["editor"], comment="Off brand.")
    v2 = new_revision(Asset.objects.get(pk=asset.pk), people["contributor"])
    v3 = new_revision(Asset.objects.get(pk=asset.pk), people["contributor"])
    client = web("editor")
    assert "v1, rejected" in client.get(f"/reviews/versions/{v2.pk}/").content.decode()
    assert "v2, draft" in client.get(f"/reviews/versions/{v3.pk}/").content.decode()
