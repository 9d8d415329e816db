"""The review screens: queues with counts, the review page, comments with regions, check-out, history, notifications."""
from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import AuditEvent
from assets.models import Asset, ReviewState
from tests.conftest import PERSONAS
from tests.factories import approve_for_test, new_revision, png_bytes, upload_as
from workflows import services
from workflows.models import AssetLock, Comment, Notification, NotificationPreference


@pytest.fixture
def submitted(people):
    asset = upload_as(people["contributor"], title="Beach banner")
    services.version_submit(version_id=asset.current_version_id, actor=people["contributor"])
    return Asset.objects.get(pk=asset.pk).current_version


@pytest.mark.parametrize("role", list(PERSONAS))
def test_queues_render_for_every_role(role, web, submitted):
    client = web(role)
    for url in ("/reviews/", "/reviews/submissions/", "/reviews/changes-requested/", "/reviews/notifications/"):
        assert client.get(url).status_code == 200, url
    mine = client.get("/reviews/").content.decode()
    assert ("Beach banner" in mine) == (role in ("editor", "admin"))  # step 1 is the editors'


def test_sidebar_counts_and_queues(web, people, submitted):
    editor = web("editor").get("/reviews/")
    reviews = next(item for item in editor.context["nav"] if item["label"] == "Reviews")
    assert reviews["count"] == 1
    assert [t[3] for t in editor.context["tabs"]] == [1, 0, 0]
    services.version_request_changes(version_id=submitted.pk, actor=people["editor"], comment="Brighter")
    contributor = web("contributor").get("/reviews/changes-requested/")
    assert "Beach banner" in contributor.content.decode()
    assert next(i for i in contributor.context["nav"] if i["label"] == "Reviews")["count"] == 1


def test_review_page_compares_with_the_approved_revision(web, people):
    asset = upload_as(people["contributor"], title="Shoe")
    approve_for_test(asset)
    services.version_submit(version_id=new_revision(Asset.objects.get(pk=asset.pk), people["contributor"]).pk,
                            actor=people["contributor"])
    Asset.objects.filter(pk=asset.pk).update(description="New copy")
    version = Asset.objects.get(pk=asset.pk).current_version
    response = web("editor").get(f"/reviews/versions/{version.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f"/assets/{asset.uid}/v1/preview.jpg" in page and f"/assets/{asset.uid}/v2/preview.jpg" in page
    assert 'data-mode="slider"' in page and "js/review.js" in page
    changed = {row["label"] for row in response.context["diff"] if row["changed"]}
    assert {"Sha256", "Original filename"} <= changed
    assert "Title" not in changed
    assert [s.status for s in response.context["progress"]] == ["open", "waiting"]
    assert "Request changes" in page


def test_ui_decisions_go_through_the_state_machine(web, submitted):
    client = web("editor")
    response = client.post(f"/reviews/versions/{submitted.pk}/request-changes/", {"comment": ""}, follow=True)
    assert "Say what should change." in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.review_state == ReviewState.IN_REVIEW
    client.post(f"/reviews/versions/{submitted.pk}/approve/", {"comment": "", "sha256": submitted.sha256})
    submitted.refresh_from_db()
    assert submitted.reviews.get().step == 2


def test_threaded_comments_with_a_region_and_resolving(web, api, people, submitted):
    client = web("editor")
    region = {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25}
    client.post(f"/reviews/versions/{submitted.pk}/comments/", {"body": "Logo too close", "region": json.dumps(region)})
    comment = Comment.objects.get()
    assert comment.region == region
    reply = api["contributor"].post(f"/api/v1/versions/{submitted.pk}/comments/",
                                    {"body": "Moved it", "parent": comment.pk}, format="json")
    assert reply.status_code == 201
    bad = api["editor"].post(f"/api/v1/versions/{submitted.pk}/comments/",
                             {"body": "x", "region": {"x": 0.9, "y": 0, "w": 0.5, "h": 0.1}}, format="json")
    assert bad.status_code == 400 and "inside the image" in bad.json()["detail"]
    page = client.get(f"/reviews/versions/{submitted.pk}/").content.decode()
    assert "left:10%;top:20%;width:30%;height:25%" in page and "Moved it" in page
    assert api["viewer"].post(f"/api/v1/comments/{comment.pk}/resolve/", {}, format="json").status_code == 404
    assert api["contributor"].post(f"/api/v1/comments/{comment.pk}/resolve/", {}, format="json").status_code == 200
    comment.refresh_from_db()
    assert comment.resolved_by == people["contributor"]
    assert Notification.objects.filter(recipient=people["contributor"], verb="workflows.comment.added").exists()


def test_check_out_blocks_other_uploads_until_checked_in_or_broken(api, web, people):
    asset = upload_as(people["editor"])
    assert api["editor"].post(f"/api/v1/assets/{asset.uid}/lock/", {}, format="json").status_code == 201
    refused = api["admin"].post(f"/api/v1/assets/{asset.uid}/versions/", {"file": io.BytesIO(png_bytes())},
                                format="multipart")
    assert refused.status_code == 409 and "checked this asset out" in refused.json()["detail"]
    # The holder may still upload.
    assert api["editor"].post(f"/api/v1/assets/{asset.uid}/versions/", {"file": io.BytesIO(png_bytes())},
                              format="multipart").status_code == 201
    page = web("admin").get(f"/reviews/versions/{asset.current_version_id}/").content.decode()
    assert "Checked out by" in page and "Break the lock" in page
    assert api["librarian"].post(f"/api/v1/assets/{asset.uid}/lock/", {}, format="json").status_code == 403
    web("admin").post(f"/reviews/assets/{asset.uid}/check-in/")
    assert not AssetLock.objects.exists()
    assert AuditEvent.objects.filter(verb="workflows.asset.lock_broken").exists()
    assert Notification.objects.filter(recipient=people["editor"], verb="workflows.asset.lock_broken").exists()


def test_an_expired_lock_does_not_block(api, people):
    asset = upload_as(people["editor"])
    lock = services.asset_check_out(asset=asset, actor=people["editor"])
    AssetLock.objects.filter(pk=lock.pk).update(expires_at=lock.created_at - timedelta(minutes=1))
    assert api["admin"].post(f"/api/v1/assets/{asset.uid}/versions/", {"file": io.BytesIO(png_bytes())},
                             format="multipart").status_code == 201


def test_history_and_restore_as_a_new_revision(web, people):
    asset = upload_as(people["contributor"])
    first = asset.current_version
    new_revision(Asset.objects.get(pk=asset.pk), people["contributor"])
    client = web("contributor")
    page = client.get(f"/reviews/assets/{asset.uid}/history/").content.decode()
    assert "Restore as a new revision" in page
    client.post(f"/reviews/versions/{first.pk}/restore/")
    asset.refresh_from_db()
    restored = asset.current_version
    assert (restored.number, restored.sha256, restored.review_state) == (3, first.sha256, ReviewState.DRAFT)
    assert restored.change_note == "Restored from v1."
    assert asset.versions.count() == 3  # history is never rewritten


def test_notifications_bell_list_and_email_choices(web, people, submitted, django_capture_on_commit_callbacks):
    client = web("contributor")
    assert client.get("/").context["unread_notifications"] == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_approve(version_id=submitted.pk, actor=people["editor"])
    assert client.get("/").context["unread_notifications"] == 1
    page = client.get("/reviews/notifications/").content.decode()
    assert "Editor approved" not in page and "approved “Beach banner” v1" in page
    assert mail.outbox == []  # the personas have no email address yet
    client.post("/reviews/notifications/read/")
    assert client.get("/").context["unread_notifications"] == 0

    people["contributor"].email = "c@example.org"
    people["contributor"].save(update_fields=["email"])
    client.post("/reviews/notifications/preference/", {"email": "digest"})
    assert NotificationPreference.objects.get(user=people["contributor"]).email == "digest"
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_request_changes(version_id=submitted.pk, actor=people["brand_manager"], comment="Darker")
    assert mail.outbox == []  # waits for the digest
    call_command("send_notification_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["c@example.org"]
    assert "requested changes" in mail.outbox[0].body
    call_command("send_notification_digest", stdout=io.StringIO())
    assert len(mail.outbox) == 1  # nothing twice


def test_immediate_email_goes_to_reviewers_when_their_step_opens(people, django_capture_on_commit_callbacks):
    people["editor"].email = "e@example.org"
    people["editor"].save(update_fields=["email"])
    asset = upload_as(people["contributor"], title="Poster")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.version_submit(version_id=asset.current_version_id, actor=people["contributor"])
    assert [m.to for m in mail.outbox] == [["e@example.org"]]
    assert "“Poster” v1 waits for your review" in mail.outbox[0].subject


def test_the_contributor_submits_and_withdraws_from_the_review_page(web, people):
    asset = upload_as(people["contributor"], title="Flyer")
    client = web("contributor")
    page = client.get(f"/reviews/versions/{asset.current_version_id}/").content.decode()
    assert "Submit for review" in page and "Approve" not in page
    detail = client.get(f"/assets/{asset.uid}/").content.decode()
    assert f"/reviews/versions/{asset.current_version_id}/" in detail and "Review &amp; submit" in detail
    response = client.post(f"/reviews/versions/{asset.current_version_id}/submit/", {"comment": "Please check"},
                           follow=True)
    assert "was submitted for review" in response.content.decode()
    assert "Withdraw" in response.content.decode()
    client.post(f"/reviews/versions/{asset.current_version_id}/withdraw/", {"comment": ""})
    asset.current_version.refresh_from_db()
    assert asset.current_version.review_state == ReviewState.DRAFT
    assert web("viewer").get(f"/reviews/versions/{asset.current_version_id}/").status_code == 404


def test_viewers_see_an_approved_revision_but_do_not_comment_on_it(web, api, people):
    asset = upload_as(people["contributor"], title="Approved flyer")
    approve_for_test(asset)
    page = web("viewer").get(f"/reviews/versions/{asset.current_version_id}/")
    assert page.status_code == 200 and 'name="body"' not in page.content.decode()
    response = api["viewer"].post(f"/api/v1/versions/{asset.current_version_id}/comments/", {"body": "Nice"},
                                  format="json")
    assert response.status_code == 403
