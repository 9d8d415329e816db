"""Approval policies end to end: steps open in order, sign-off binds to the exact revision, nobody signs their own."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from accounts.roles import Role
from assets.models import Asset, ReviewState
from taxonomy.models import AssetType
from tests.factories import library, make_collection, make_user, new_revision, upload_as
from workflows import services
from workflows.models import ApprovalPolicy, ApprovalStep, Notification, Review, ReviewDecision


def post(client, version, action, **body):
    return client.post(f"/api/v1/versions/{version.pk}/{action}/", body, format="json")


def test_the_default_policy_is_editor_then_brand_manager(db):
    policy = ApprovalPolicy.objects.get(is_default=True)
    steps = [(s.position, s.group.name, s.approvals_required) for s in policy.steps.select_related("group")]
    assert steps == [(1, "Editor", 1), (2, "Brand manager", 1)]


def test_two_step_policy_end_to_end(api, people, django_capture_on_commit_callbacks):
    asset = upload_as(people["contributor"])
    version = asset.current_version
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api["contributor"], version, "submit", comment="Ready").status_code == 200
    step_one = Notification.objects.filter(verb="workflows.step.opened")
    assert {n.recipient.username for n in step_one} == {"editor"}

    # Step 2 is not open yet: the brand manager cannot sign before the editor.
    assert post(api["brand_manager"], version, "approve").status_code == 403
    response = post(api["editor"], version, "approve", comment="Looks right", sha256=version.sha256)
    assert response.status_code == 200
    body = response.json()
    assert body["version"]["review_state"] == "in_review"
    assert [s["status"] for s in body["review"]["steps"]] == ["passed", "open"]
    assert {n.recipient.username for n in Notification.objects.filter(verb="workflows.step.opened")} == {
        "editor", "brand_manager"}
    # The editor has signed step 1 and holds no seat in step 2.
    assert post(api["editor"], version, "approve").status_code == 403

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert post(api["brand_manager"], version, "approve").status_code == 200
    asset.refresh_from_db()
    version.refresh_from_db()
    assert version.review_state == ReviewState.APPROVED
    assert asset.approved_version_id == version.pk
    detail = api["viewer"].get(f"/api/v1/assets/{asset.uid}/").json()
    assert detail["approved_version"]["id"] == version.pk
    review = Review.objects.get(version=version)
    assert review.outcome == Review.Outcome.APPROVED
    assert [(d.step, d.reviewer.username, d.sha256) for d in review.decisions.all()] == [
        (1, "editor", version.sha256), (2, "brand_manager", version.sha256)]
    verbs = list(AuditEvent.objects.filter(verb__startswith="workflows.").order_by("id").values_list("verb",
                                                                                                  flat=True))
    # The editor's try at step 2 is a second signature on one review: refused, and the refusal is on record.
    assert verbs == ["workflows.version.submitted", "workflows.review.step_passed",
                     "workflows.review.decision_refused", "workflows.version.approved"]
    # The submitter hears about the decision; the console backend (locmem in tests) carries the email.
    assert Notification.objects.filter(recipient=people["contributor"], verb="workflows.version.approved").exists()


def test_approving_a_newer_revision_supersedes_the_one_before(api, people):
    asset = upload_as(people["contributor"])
    first = asset.current_version
    for who, action in (("contributor", "submit"), ("editor", "approve"), ("brand_manager", "approve")):
        assert post(api[who], first, action).status_code == 200
    second = new_revision(Asset.objects.get(pk=asset.pk), people["contributor"])
    for who, action in (("contributor", "submit"), ("admin", "approve"), ("brand_manager", "approve")):
        assert post(api[who], second, action).status_code == 200
    first.refresh_from_db()
    asset.refresh_from_db()
    assert (first.review_state, asset.approved_version_id) == (ReviewState.SUPERSEDED, second.pk)
    event = AuditEvent.objects.filter(verb="workflows.version.approved").order_by("-id").first()
    assert event.data["superseded_version"] == 1


def test_nobody_approves_their_own_submission_in_the_api(api, people):
    asset = upload_as(people["editor"])
    version = asset.current_version
    assert post(api["editor"], version, "submit").status_code == 200
    response = post(api["editor"], version, "approve")
    assert response.status_code == 403
    assert not ReviewDecision.objects.exists()
    # Another editor may.
    other = APIClient()
    other.force_authenticate(make_user("editor2", Role.EDITOR))
    assert post(other, version, "approve").status_code == 200


def test_nobody_approves_their_own_submission_in_the_ui(web, people):
    asset = upload_as(people["admin"])
    version = asset.current_version
    services.version_submit(version_id=version.pk, actor=people["admin"])
    client = web("admin")
    page = client.get(f"/reviews/versions/{version.pk}/").content.decode()
    assert "/approve/" not in page  # no button offered
    # A refused try is told in words on the page (not a bare 403) and kept on the audit trail.
    response = client.post(f"/reviews/versions/{version.pk}/approve/", {"comment": ""}, follow=True)
    assert "You may not approve this revision: nobody signs off a revision they submitted themselves" in \
        response.content.decode()
    assert AuditEvent.objects.filter(verb="workflows.review.decision_refused", actor=people["admin"]).count() == 1
    version.refresh_from_db()
    assert version.review_state == ReviewState.IN_REVIEW


def test_request_changes_needs_a_comment_and_resubmit_starts_a_new_round(api, people):
    version = upload_as(people["contributor"]).current_version
    post(api["contributor"], version, "submit")
    response = post(api["editor"], version, "request-changes", comment="  ")
    assert response.status_code == 400
    assert response.json()["errors"] == {"comment": ["Say what should change."]}
    assert post(api["editor"], version, "request-changes", comment="Brighter, please").status_code == 200
    mine = api["contributor"].get("/api/v1/reviews/?outcome=changes_requested").json()
    assert [r["decisions"][0]["comment"] for r in mine["results"]] == ["Brighter, please"]
    assert post(api["contributor"], version, "resubmit", comment="Brighter now").status_code == 200
    assert list(Review.objects.filter(version=version).values_list("outcome", flat=True)) == [
        "open", "changes_requested"]


def test_a_decision_on_a_file_the_reviewer_did_not_see_is_refused(api, people):
    version = upload_as(people["contributor"]).current_version
    post(api["contributor"], version, "submit")
    response = post(api["editor"], version, "approve", sha256="0" * 64)
    assert response.status_code == 409
    assert "sha256" in response.json()["detail"]


def test_approving_a_revision_that_is_no_longer_current_is_refused(api, people):
    asset = upload_as(people["contributor"])
    version = asset.current_version
    post(api["contributor"], version, "submit")
    # The new revision's on-commit news never runs here, so the old review is still open: the check must hold alone.
    new_revision(Asset.objects.get(pk=asset.pk), people["contributor"])
    response = post(api["editor"], version, "approve")
    assert response.status_code == 409
    assert "no longer the current revision" in response.json()["detail"]


def test_submitting_needs_the_required_fields(api, people):
    asset = upload_as(people["contributor"])
    Asset.objects.filter(pk=asset.pk).update(title=" ")
    response = post(api["contributor"], asset.current_version, "submit")
    assert response.status_code == 400
    assert "Title" in response.json()["errors"]["metadata"][0]


def test_a_collection_policy_needs_two_approvals_and_wins_over_the_asset_type(api, people):
    folder = make_collection("Legal-checked", parent=library())
    by_type = ApprovalPolicy.objects.create(name="Images", asset_type=AssetType.IMAGE)
    ApprovalStep.objects.create(policy=by_type, position=1, name="Brand", group=Group.objects.get(
        name="Brand manager"))
    strict = ApprovalPolicy.objects.create(name="Two editors", collection=folder)
    ApprovalStep.objects.create(policy=strict, position=1, name="Two editors", approvals_required=2,
                                group=Group.objects.get(name="Editor"))
    editor2 = make_user("editor2", Role.EDITOR)
    in_folder = make_collection("Sub", parent=folder)
    version = upload_as(people["contributor"], in_folder).current_version
    assert services.policy_for(version.asset) == strict  # inherited down the folder tree
    assert services.policy_for(upload_as(people["contributor"]).current_version.asset) == by_type
    post(api["contributor"], version, "submit")
    assert post(api["editor"], version, "approve").status_code == 200
    version.refresh_from_db()
    assert version.review_state == ReviewState.IN_REVIEW
    assert post(api["editor"], version, "approve").status_code == 409  # one approval per person per step
    second = APIClient()
    second.force_authenticate(editor2)
    assert post(second, version, "approve").status_code == 200
    version.refresh_from_db()
    assert version.review_state == ReviewState.APPROVED


@pytest.mark.parametrize("action", ["approve", "request-changes", "reject"])
def test_contributors_and_viewers_never_decide(action, api, people):
    version = upload_as(people["contributor"]).current_version
    post(api["contributor"], version, "submit")
    assert post(api["contributor"], version, action, comment="x").status_code == 403
    assert post(api["viewer"], version, action, comment="x").status_code == 404  # they do not even see it
