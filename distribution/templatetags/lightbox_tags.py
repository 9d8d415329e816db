"""The asset page's "Add to lightbox" picker (templates/distribution/lightboxes/_add_to_lightbox.html) reads the
person's lightboxes itself, so the asset page's view need not know about lightboxes."""
from __future__ import annotations

from typing import Any

from django import template

from distribution import lightboxes

register = template.Library()


@register.simple_tag
def lightbox_choices(user: Any, asset: Any = None) -> list[Any]:
    """{% lightbox_choices user asset as boxes %}: lightboxes.lightbox_choices."""
    if not getattr(user, "is_authenticated", False):
        return []
    return lightboxes.lightbox_choices(user, asset)
