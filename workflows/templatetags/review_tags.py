"""The review's word on an asset's page (the assets app sits below workflows, so its page asks by tag)."""
from __future__ import annotations

from typing import Any

from django import template

from accounts import permissions as authority
from assets.models import ReviewState
from workflows import selectors

register = template.Library()


@register.inclusion_tag("workflows/_feedback.html", takes_context=True)
def review_feedback(context: Any, version: Any) -> dict[str, Any]:
    """What the reviewer said when they sent the shown revision back or refused it, to whoever may see it."""
    user = context["request"].user
    decision = None
    if version is not None and version.review_state in (ReviewState.CHANGES_REQUESTED, ReviewState.REJECTED) \
            and authority.can(user, "view", version):
        decision = selectors.feedback_on(version)
    return {"decision": decision, "version": version}
