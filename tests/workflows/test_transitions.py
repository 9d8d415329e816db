"""Every transition from every state for every role, over the API (DESIGN.md's state machine and role table).

Expected answers, for a revision the contributor uploaded and submitted, whose
open step (when in review) is step 1, the editors' step:
- 200 when the state table allows the action and the role may take it;
- 409 when the role may take the action but not from this state;
- 403 when the role sees the revision but may not take the action (or not at this step);
- 404 when the role does not see the revision at all (viewers see only approved ones).
"""
from __future__ import annotations

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from accounts.roles import Role
from assets.models import ReviewState
from tests.conftest import PERSONAS
from tests.factories import make_user
from workflows.states import TRANSITIONS, Action, TransitionNotAllowed, allowed_actions, target

S = ReviewState
URL = {Action.SUBMIT: "submit", Action.APPROVE: "approve", Action.REQUEST_CHANGES: "request-changes",
       Action.REJECT: "reject", Action.WITHDRAW: "withdraw", Action.RESUBMIT: "resubmit"}
AUTHORS = {"admin", "librarian", "brand_manager", "editor", "contributor"}  # may submit this revision
DECIDERS = {"admin", "editor", "brand_manager"}  # hold the review capability


def expected(role: str, action: Action, state: S) -> int:
    viewer_sees = state == S.APPROVED
    if role == "outsider" or (role == "viewer" and not viewer_sees):
        return 404
    allowed_from = TRANSITIONS[action]
    if action in (Action.SUBMIT, Action.RESUBMIT):
        if role not in AUTHORS:
            return 403
        return 200 if state in allowed_from else 409
    if action == Action.WITHDRAW:
        # Only the submitter (or an admin) withdraws; a draft that was never submitted has no submitter yet.
        may = role in ("contributor", "admin") or (state == S.DRAFT and role in AUTHORS)
        if not may:
            return 403
        return 200 if state in allowed_from else 409
    if role not in DECIDERS:
        return 403
    if state != S.IN_REVIEW:
        return 409
    return 403 if role == "brand_manager" else 200  # step 1 belongs to the editors


@pytest.mark.parametrize("state", [s for s in S])
def test_every_action_for_every_role(state, revision_in, api, people):
    version = revision_in(state)
    wrong = []
    for role in PERSONAS:
        for action in URL:
            with transaction.atomic():
                events_before = AuditEvent.objects.count()
                response = api[role].post(f"/api/v1/versions/{version.pk}/{URL[action]}/",
                                          {"comment": "A reason."}, format="json")
                want = expected(role, action, state)
                version.refresh_from_db()
                if response.status_code != want:
                    wrong.append(f"{role} {action.value} from {state.value}: {response.status_code}, want {want} "
                                 f"({response.json().get('detail')})")
                elif want == 200:
                    moved = version.review_state
                    if action != Action.APPROVE and moved != target(action, state):
                        wrong.append(f"{role} {action.value}: state {moved}")
                    if AuditEvent.objects.count() != events_before + 1:
                        wrong.append(f"{role} {action.value}: not exactly one audit event")
                elif version.review_state != state or AuditEvent.objects.count() != events_before:
                    wrong.append(f"{role} {action.value} from {state.value} was refused but changed something")
                if want == 409:
                    assert response.json()["detail"], "a 409 says why"
                transaction.set_rollback(True)
    assert wrong == []


def test_the_table_has_no_way_out_of_rejected_or_superseded():
    assert allowed_actions(S.REJECTED) == []
    assert allowed_actions(S.SUPERSEDED) == []
    assert set(allowed_actions(S.IN_REVIEW)) == {Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT,
                                                  Action.WITHDRAW}
    with pytest.raises(TransitionNotAllowed, match="only from: draft"):
        target(Action.SUBMIT, S.APPROVED)


def test_a_refused_transition_is_a_409_with_the_reason(revision_in, api):
    version = revision_in(S.APPROVED)
    response = api["editor"].post(f"/api/v1/versions/{version.pk}/approve/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"] == "Cannot approve a revision that is approved; only from: in review."
    assert response.json()["review_state"] == "approved"


def test_the_ui_reports_a_refused_transition_and_changes_nothing(revision_in, web):
    version = revision_in(S.REJECTED)
    response = web("editor").post(f"/reviews/versions/{version.pk}/approve/", {"comment": ""}, follow=True)
    assert response.status_code == 200
    assert "Cannot approve a revision that is rejected" in response.content.decode()
    version.refresh_from_db()
    assert version.review_state == S.REJECTED


def test_a_decision_for_a_step_the_review_has_left_is_a_conflict(api, web, revision_in, people):
    version = revision_in(S.IN_REVIEW)
    page = web("editor").get(f"/reviews/versions/{version.pk}/").content.decode()
    assert 'name="step" value="1"' in page  # the form says which step the reviewer decides on
    assert api["editor"].post(f"/api/v1/versions/{version.pk}/approve/", {"step": 1}, format="json").status_code == 200
    late = make_user("editor2", Role.EDITOR)
    late_client = APIClient()
    late_client.force_authenticate(late)
    response = late_client.post(f"/api/v1/versions/{version.pk}/approve/", {"step": 1}, format="json")
    assert response.status_code == 409 and "moved on to step 2" in response.json()["detail"]
    # Without the step, an editor asking to approve step 2 is simply not allowed to.
    assert late_client.post(f"/api/v1/versions/{version.pk}/approve/", {}, format="json").status_code == 403
    answer = api["brand_manager"].post(f"/api/v1/versions/{version.pk}/approve/", {"step": 2}, format="json")
    assert answer.status_code == 200
    response = late_client.post(f"/api/v1/versions/{version.pk}/reject/", {"step": 2, "comment": "x"},
                                     format="json")
    assert response.status_code == 409 and "already decided (approved)" in response.json()["detail"]

