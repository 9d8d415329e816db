"""The asset page's usage panel ({% load analytics_tags %}{% asset_usage_panel asset %}), read here so the
assets app, below analytics in the import order, need not know about it.

Shown to those who may see analytics (Cap.VIEW_ANALYTICS: admins, librarians, brand managers) and see the
asset; to anyone else it renders nothing. Owners without that capability do not get it: the panel names
the share links and integrations the asset left through, which are other people's business.
"""
from __future__ import annotations

from typing import Any

from django import template

from accounts import permissions as authority
from accounts.permissions import Cap
from analytics import display
from analytics.charts import chart_data
from analytics.selectors import asset_usage

register = template.Library()

USAGE_DAYS = 90


@register.inclusion_tag("analytics/_asset_usage.html", takes_context=True)
def asset_usage_panel(context: dict[str, Any], asset: Any) -> dict[str, Any]:
    user = context["request"].user
    if not (authority.can(user, Cap.VIEW_ANALYTICS) and authority.can(user, "view", asset)):
        return {"shown": False}
    usage = asset_usage(user, asset, days=USAGE_DAYS)
    by_day = usage["downloads_by_day"]
    return {
        "shown": True, "asset": asset, "days": USAGE_DAYS, "usage": usage, "chart_id": f"asset-usage-{asset.uid}",
        "chart": chart_data("line", [("day", "Day"), ("count", "Downloads")], by_day) if usage["total"] else None,
        "by_channel": [(row.get("channel_label") or display.label("channel", row["channel"]), row["count"])
                       for row in usage["by_channel"] if row["count"]],
        "delivered_via": [{**row, "kind_label": "Share link" if row["kind"] == "share_link" else "Integration"}
                          for row in usage["delivered_via"]],
        "table": [(display.cell("day", row["day"]), row["count"]) for row in by_day if row["count"]],
    }
