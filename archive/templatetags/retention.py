"""Legal hold panels for the asset and folder pages, which belong to the assets app (below archive): the
pages load this library, so assets imports nothing of archive."""
from __future__ import annotations

from typing import Any

from django import template

from accounts.permissions import is_admin
from archive.retention import selectors

register = template.Library()


@register.inclusion_tag("archive/retention/_hold_panel.html", takes_context=True)
def legal_hold_panel(context: Any, obj: Any) -> dict[str, Any]:
    """Holds covering an asset or a folder, and (for admins) the buttons to place and lift them."""
    request = context["request"]
    if not is_admin(request.user):
        return {"show": False}
    is_asset = hasattr(obj, "uid")
    holds = list(selectors.holds_for_asset(obj) if is_asset else selectors.holds_for_collection(obj))
    own = [hold for hold in holds if (hold.asset_id == obj.pk if is_asset else hold.collection_id == obj.pk)]
    return {"show": True, "request": request, "obj": obj, "is_asset": is_asset, "holds": holds,
            "held_here": bool(own), "csrf_token": context.get("csrf_token")}


@register.filter
def rule_conditions(rule: Any) -> str:
    """{{ rule|rule_conditions }}: the rule's conditions as a sentence."""
    return selectors.describe(rule)
