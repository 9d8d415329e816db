"""Listeners for news from the apps below; each only hands the ids to a service."""
from __future__ import annotations

from typing import Any

from workflows import services


def withdraw_review_of_previous_version(sender: Any, *, version_id: int, previous_version_id: int | None,
                                        **kwargs: Any) -> None:
    """A new revision voids the review of the one before it.

    Runs in the uploading request, after its transaction committed (the signal
    is sent on commit), rather than as a queued job: reviewers must not be
    left looking at a stale revision for as long as the queue is busy, and
    approving a non-current revision is refused anyway.
    """
    if previous_version_id is not None:
        services.review_withdraw_for_new_revision(version_id=previous_version_id, new_version_id=version_id)
