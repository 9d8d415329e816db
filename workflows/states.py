"""The approval state machine of one revision: the only table of allowed transitions.

    draft --submit--> in_review --approve (last step)--> approved --(newer approved)--> superseded
                        |   ^
                        |   `--resubmit-- changes_requested <--request_changes--'
                        |--reject--> rejected
    in_review / changes_requested --withdraw--> draft

`approve` keeps a revision in review until the policy's last step has its
approvals; only then does it move to `approved`. `supersede` is done by the
system, never by a person: approving revision N supersedes the one approved
before it. Uploading a newer revision withdraws only a review still running
(in review -> draft); a revision sent back or decided keeps that state, so
the revisions table shows what became of each ("v1, changes requested").
Services in `workflows.services` look transitions up here; nothing else
assigns `AssetVersion.review_state`.
"""
from __future__ import annotations

from django.db import models

from assets.models import ReviewState


class Action(models.TextChoices):
    SUBMIT = "submit", "Submit for review"
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"
    REJECT = "reject", "Reject"
    WITHDRAW = "withdraw", "Withdraw"
    RESUBMIT = "resubmit", "Resubmit"
    SUPERSEDE = "supersede", "Supersede"


S = ReviewState
TRANSITIONS: dict[Action, dict[ReviewState, ReviewState]] = {
    Action.SUBMIT: {S.DRAFT: S.IN_REVIEW},
    Action.APPROVE: {S.IN_REVIEW: S.APPROVED},
    Action.REQUEST_CHANGES: {S.IN_REVIEW: S.CHANGES_REQUESTED},
    Action.REJECT: {S.IN_REVIEW: S.REJECTED},
    Action.WITHDRAW: {S.IN_REVIEW: S.DRAFT, S.CHANGES_REQUESTED: S.DRAFT},
    Action.RESUBMIT: {S.CHANGES_REQUESTED: S.IN_REVIEW},
    Action.SUPERSEDE: {S.APPROVED: S.SUPERSEDED},
}
# Decisions reviewers take; the rest belong to the submitter (or the system).
DECISIONS = (Action.APPROVE, Action.REQUEST_CHANGES, Action.REJECT)


class TransitionNotAllowed(Exception):
    """The action cannot be taken from the revision's current state (the API answers 409)."""

    def __init__(self, action: Action, state: str, reason: str = ""):
        self.action = action
        self.state = state
        allowed = ", ".join(ReviewState(s).label.lower() for s in TRANSITIONS[action]) or "no state"
        super().__init__(reason or f"Cannot {action.label.lower()} a revision that is "
                                   f"{ReviewState(state).label.lower()}; only from: {allowed}.")


def target(action: Action, state: str) -> ReviewState:
    """The state `action` leads to from `state`, or TransitionNotAllowed."""
    try:
        return TRANSITIONS[action][ReviewState(state)]
    except KeyError:
        raise TransitionNotAllowed(action, state) from None


def allowed_actions(state: str) -> list[Action]:
    """Actions the table allows from `state` (whether a given user may take them is the policy's question)."""
    return [action for action, sources in TRANSITIONS.items() if ReviewState(state) in sources
            and action != Action.SUPERSEDE]
