"""The asset page's "Last verified" line (templates/archive/fixity/_last_verified.html), read here so the
assets app's view need not know about fixity."""
from __future__ import annotations

from typing import Any

from django import template

from archive.fixity import selectors

register = template.Library()


@register.inclusion_tag("archive/fixity/_last_verified.html")
def last_verified(version: Any) -> dict[str, Any]:
    """When the shown version's original was last read and found intact (or found changed or missing)."""
    return {"check": selectors.last_check(version)}


@register.filter
def took(run: Any) -> str:
    """How long a run took, in words ("under a minute", "12 minutes", "3 h 05 min")."""
    if run.finished_at is None:
        return ""
    seconds = int((run.finished_at - run.started_at).total_seconds())
    if seconds < 60:
        return "under a minute"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    return f"{minutes // 60} h {minutes % 60:02d} min"
