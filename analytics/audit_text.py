"""How the analytics app's audit events read (see accounts.audit.register)."""
from __future__ import annotations

from accounts.audit import register
from analytics.selectors import PANELS


def register_all() -> None:
    group = "Reports"
    tables = {name: panel.title for name, panel in PANELS.items()}
    register("analytics.digest.subscribed", "{actor} subscribed to a weekly e-mail of reports",
             label="Report digest subscribed", group=group,
             fields=[("panels", "Tables", tables), ("query", "Filters")])
    register("analytics.digest.unsubscribed", "{actor} ended the weekly report e-mail of {owner}",
             label="Report digest ended", group=group, fields=[("panels", "Tables", tables)])
