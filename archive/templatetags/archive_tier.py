"""The asset page's line about where the originals are (archive.tier)."""
from __future__ import annotations

from typing import Any

from django import template

from accounts import permissions as authority
from archive.tier.selectors import tier_status

register = template.Library()


@register.inclusion_tag("archive/tier/_status.html", takes_context=True)
def originals_status(context: dict[str, Any], asset: Any) -> dict[str, Any]:
    request = context["request"]
    return {"status": tier_status(asset), "asset": asset, "request": request,
            "csrf_token": context.get("csrf_token"),
            "can_retry": authority.can(request.user, "archive", asset)}
