"""The asset page's downloads, delivery URLs and deliveries (templates/distribution/_asset_downloads.html),
read here so the assets app's view need not know about presets or delivery."""
from __future__ import annotations

from typing import Any

from django import template

from accounts import permissions as authority
from accounts.permissions import is_admin
from distribution import delivery, derivatives, selectors

register = template.Library()


@register.inclusion_tag("distribution/_asset_downloads.html", takes_context=True)
def asset_downloads(context: dict[str, Any], asset: Any, version: Any) -> dict[str, Any]:
    """Every preset the person may download the shown version in, with its format and about how large it is;
    the delivery URLs of an approved asset; for admins, where it is delivered."""
    request = context["request"]
    user = request.user
    if version is None or not authority.can(user, "download", asset):
        return {"presets": []}
    made = derivatives.ready_sizes(version)
    presets = [(p, derivatives.estimated_size(version, p, made), derivatives.is_made(version, p, made))
               for p in derivatives.presets_for(user, asset) if p.is_original or version.has_renditions]
    urls = []
    if asset.approved_version_id == version.pk and delivery.is_deliverable(asset):
        urls = [(p, request.build_absolute_uri(delivery.url_for(asset, p).path))
                for p, _, _ in presets if not p.restricted]
    return {"asset": asset, "version": version, "presets": presets, "urls": urls,
            "mode": asset.collection.get_delivery_display(),
            "deliveries": selectors.deliveries_of(asset) if is_admin(user) else None,
            "can_focus": authority.can(user, "edit", asset) and version.has_renditions}


@register.simple_tag
def download_presets(user: Any) -> list[Any]:
    """{% download_presets user as presets %}: the presets anyone may use (a lightbox's zip, say)."""
    return list(derivatives.presets_for(user).filter(restricted=False)) if user.is_authenticated else []


@register.inclusion_tag("distribution/connections/_used_in.html", takes_context=True)
def asset_used_in(context: dict[str, Any], asset: Any) -> dict[str, Any]:
    """The asset page's "Used in": where its versions went (pushes, picker, share links, outside pages), each
    current or outdated; and "Send to…" for those who may push an approved asset."""
    from distribution.models import Connection, Usage
    from distribution.permissions import shows_share_address

    user = context["request"].user
    shown = list(authority.visible(user, Usage.objects.filter(asset=asset))
                 .select_related("connection", "version", "by", "integration")[:100])
    rows = [(u, shows_share_address(user, u)) for u in shown]
    can_push = (authority.can(user, "push", Connection) and asset.approved_version_id is not None
                and authority.visible(user, Connection.objects.all()).exists())
    return {"asset": asset, "rows": rows, "can_push": can_push,
            "outdated": sum(1 for u in shown if u.state == Usage.State.OUTDATED),
            "visible": bool(rows) or can_push}
