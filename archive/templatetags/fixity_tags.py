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
