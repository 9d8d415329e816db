"""Four eyes: one person never signs two steps of one review, admins included, unless the policy says so;
every refused try (their own work, a second step) is on the audit trail like any other decision."""
from __future__ import annotations

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, connection

from accounts.audit import describe
from accounts.models import AuditEvent
from accounts.roles import Role
from assets.models import AssetVersion, ReviewState
from tests.factories import make_user, upload_as
from workflows import selectors, services
from workflows.models import ApprovalPolicy, Review, ReviewDecision


def post(client, version, action, **data):
    return client.post(f"/api/v1/versions/{version.pk}/{action}/", data, format="json")


def submitted(people):
    version = upload_as(people["contributor"]).current_version
    services.version_submit(version_id=version.pk, actor=people["contributor"])
    return version


def test_one_admin_cannot_pass_both_steps_back_to_back(api, people):
    version = submitted(people)
    assert post(api["admin"], version, "approve").status_code == 200  # step 1, Editorial check
    second = post(api["admin"], version, "approve")
    assert second.status_code == 403
    assert "step 1 (Editorial check)" in second.json()["detail"]
    version.refresh_from_db()
    assert version.review_state == ReviewState.IN_REVIEW
    review = Review.objects.get(version=version)
    assert review.step == 2 and [d.reviewer.username for d in review.decisions.all()] == ["admin"]
    refusal = AuditEvent.objects.get(verb="workflows.review.decision_refused")
    assert refusal.actor == people["admin"] and refusal.data["step"] == 2 and refusal.data["action"] == "approve"
    text = describe(refusal).text
    assert text.startswith("admin tried to approve v1 of")
    assert "(step 2, Brand sign-off)" in text and "does not sign another step" in text
    # Nor does the review wait in the admin's queue any more; the brand manager's seat is the one left.
    assert not selectors.reviews_waiting_for(people["admin"]).filter(pk=review.pk).exists()
    assert selectors.reviews_waiting_for(people["brand_manager"]).filter(pk=review.pk).exists()
    assert post(api["brand_manager"], version, "approve").status_code == 200
    version.refresh_from_db()
    assert version.review_state == ReviewState.APPROVED


def test_request_changes_and_reject_on_a_second_step_are_refused_too(api, people):
    version = submitted(people)
    assert post(api["editor"], version, "approve").status_code == 200
    for action in ("request-changes", "reject"):
        assert post(api["editor"], version, action, comment="Too dark.").status_code == 403
    assert list(AuditEvent.objects.filter(verb="workflows.review.decision_refused").order_by("id")
                .values_list("data__action", flat=True)) == ["request changes", "reject"]


def test_a_policy_may_let_one_person_sign_several_steps(api, people):
    ApprovalPolicy.objects.filter(is_default=True).update(same_person_may_sign_several_steps=True)
    version = submitted(people)
    assert post(api["admin"], version, "approve").status_code == 200
    assert post(api["admin"], version, "approve").status_code == 200
    version.refresh_from_db()
    assert version.review_state == ReviewState.APPROVED
    assert not AuditEvent.objects.filter(verb="workflows.review.decision_refused").exists()


def test_self_approval_is_refused_and_audited_even_for_an_admin(api, people):
    version = upload_as(people["admin"]).current_version
    services.version_submit(version_id=version.pk, actor=people["admin"])
    response = post(api["admin"], version, "approve")
    assert response.status_code == 403
    assert "they submitted themselves" in response.json()["detail"]
    refusal = AuditEvent.objects.get(verb="workflows.review.decision_refused")
    assert "was refused: nobody signs off a revision they submitted themselves" in describe(refusal).text


def test_someone_without_the_review_right_is_refused_without_a_four_eyes_record(api, people):
    version = submitted(people)
    assert post(api["contributor"], version, "approve").status_code == 403
    assert not AuditEvent.objects.filter(verb="workflows.review.decision_refused").exists()


def test_the_review_page_says_why_in_words(people, web):
    version = submitted(people)
    services.version_approve(version_id=version.pk, actor=people["admin"])
    client = web("admin")
    page = client.get(f"/reviews/versions/{version.pk}/")
    assert b'formaction="/reviews/versions/%d/approve/"' % version.pk not in page.content  # no button to press
    response = client.post(f"/reviews/versions/{version.pk}/approve/", {"comment": ""}, follow=True)
    assert "You may not approve this revision: whoever signed step 1" in response.content.decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_of_one_admin_at_once_pass_one_step_only():
    admin, contributor = make_user("boss", Role.ADMIN), make_user("c", Role.CONTRIBUTOR)
    version = upload_as(contributor).current_version
    services.version_submit(version_id=version.pk, actor=contributor)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def approve():
        try:
            barrier.wait()
            services.version_approve(version_id=version.pk, actor=admin)
            outcomes.append("approved")
        except PermissionDenied:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=approve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["approved", "refused"]
    assert AssetVersion.objects.get(pk=version.pk).review_state == ReviewState.IN_REVIEW
    assert list(ReviewDecision.objects.values_list("step", "reviewer__username")) == [(1, "boss")]
    assert AuditEvent.objects.filter(verb="workflows.review.step_passed").count() == 1
    assert AuditEvent.objects.filter(verb="workflows.review.decision_refused").count() == 1
