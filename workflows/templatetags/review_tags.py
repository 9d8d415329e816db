"""The review's word on an asset's page (the assets app sits below workflows, so its page asks by tag)."""
from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

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


@register.inclusion_tag("workflows/_checkout.html", takes_context=True)
def checkout_status(context: Any, asset: Any) -> dict[str, Any]:
    """Who has the asset checked out, in which app and until when, with check-in (holder) or break (admins)."""
    user = context["request"].user
    lock = selectors.lock_of(asset)
    today = timezone.localdate()
    return {"lock": lock, "asset": asset, "user": user, "request": context["request"],
            "csrf_token": context.get("csrf_token"),
            "same_day": lock is not None and timezone.localdate(lock.expires_at) == today,
            "can_release": lock is not None and authority.can(user, "check_in", lock)}
