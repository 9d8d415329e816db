"""Actions of the review workflow; each takes a keyword-only `actor`, runs in one transaction, writes one audit event.

Split by entity: `reviews` (the state machine's transitions and policies),
`comments`, `locks` (check-out / check-in) and `notifications`.
"""
from workflows.services.comments import comment_add, comment_resolve
from workflows.services.locks import LockHeld, asset_check_in, asset_check_out, lock_break, refuse_if_locked
from workflows.services.notifications import (
    notification_preference_set,
    notifications_mark_read,
    notifications_send_digest,
    notifications_send_email,
)
from workflows.services.policies import approval_policy_save
from workflows.services.reviews import (
    DecisionRefused,
    policy_for,
    review_withdraw_for_new_revision,
    version_approve,
    version_reject,
    version_request_changes,
    version_restore,
    version_resubmit,
    version_submit,
    version_transition,
    version_withdraw,
)

__all__ = [
    "DecisionRefused", "LockHeld", "approval_policy_save",
    "asset_check_in", "asset_check_out", "comment_add", "comment_resolve", "lock_break",
    "notification_preference_set", "notifications_mark_read", "notifications_send_digest",
    "notifications_send_email", "policy_for", "refuse_if_locked", "review_withdraw_for_new_revision",
    "version_approve", "version_reject", "version_request_changes", "version_restore", "version_resubmit",
    "version_submit", "version_transition", "version_withdraw",
]
