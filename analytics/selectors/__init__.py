"""The analytics reports: one reader per panel of /analytics/ (and of GET /api/v1/analytics/), and one asset's use.

    from analytics.selectors import ReportQuery, PANELS, report, asset_usage

Every panel reads through the permission authority: rows about assets only for assets the reader may see
(`query.scope_assets`), and only for roles holding Cap.VIEW_ANALYTICS (`report` and `Panel.rows` raise
PermissionDenied otherwise). Every number is an aggregate computed by the database (GROUP BY, COUNT, SUM,
window functions); what each panel counts is written in docs/analytics.md.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from analytics.selectors import approvals, downloads, library, searches, vocabulary
from analytics.selectors.downloads import CHANNELS, asset_usage
from analytics.selectors.query import PRESET_DAYS, ReportQuery, require_analytics

Rows = list[dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    """One table (and chart) of the report: its key, title, columns (key, label) in order, chart kind."""

    name: str
    title: str
    columns: list[tuple[str, str]]
    read: Callable[[Any, ReportQuery], Rows] = field(repr=False)
    chart: str | None = None  # None, "line", "bar" or "doughnut"
    description: str = ""

    def rows(self, user: Any, q: ReportQuery) -> Rows:
        require_analytics(user)
        return self.read(user, q)


ASSET = [("title", "Asset")]
PANEL_LIST = [
    Panel("downloads_by_day", "Downloads and deliveries over time",
          [("day", "Day"), ("channel_label", "Channel"), ("count", "Downloads")], downloads.downloads_by_day, "line",
          "Every file sent, by day and by the way it left: signed-in people, share links, delivery URLs, "
          "the picker and integrations."),
    Panel("top_assets", "Most downloaded assets", [*ASSET, ("count", "Downloads")], downloads.top_assets, "bar"),
    Panel("top_collections", "Most downloaded collections", [("name", "Collection"), ("count", "Downloads")],
          downloads.top_collections, "bar"),
    Panel("never_downloaded", "Never downloaded in the period",
          [*ASSET, ("created_at", "Added"), ("age_days", "Age (days)")], downloads.never_downloaded, None,
          "Live assets nobody downloaded in the period, oldest first: candidates for archiving."),
    Panel("top_searches", "Most frequent searches", [("query", "Search"), ("count", "Searches"),
                                                     ("no_results", "Found nothing")], searches.top_searches, "bar"),
    Panel("no_result_searches", "Searches with no results",
          [("query", "Search"), ("count", "Searches"), ("last_searched", "Last searched")],
          searches.no_result_searches, None, "What people look for and the library lacks."),
    Panel("unopened_searches", "Searches whose results were never opened",
          [("query", "Search"), ("count", "Searches"), ("results", "Results")], searches.unopened_searches),
    Panel("approval_times", "Time to approval",
          [("policy", "Policy"), ("step", "Step"), ("reviewer_group", "Reviewer group"), ("count", "Approvals"),
           ("median_s", "Median (seconds)"), ("p90_s", "90th percentile (seconds)")], approvals.approval_times, "bar",
          "From submission to each step's approval."),
    Panel("waiting_reviews", "Revisions waiting for review",
          [*ASSET, ("version", "Version"), ("step", "Step"), ("waiting_since", "Submitted"),
           ("waiting_s", "Waiting (seconds)")], approvals.waiting_reviews),
    Panel("review_outcomes", "Changes requested and rejections by team",
          [("team", "Team"), ("submitted", "Revisions submitted"), ("changes_requested", "Changes requested"),
           ("rejected", "Rejected"), ("rejected_share", "Share rejected")], approvals.review_outcomes, "bar"),
    Panel("assets_by_type_state", "Assets by type and state",
          [("type_label", "Type"), ("state_label", "State"), ("count", "Assets")], library.assets_by_type_state,
          "doughnut"),
    Panel("storage", "Storage used", [("day", "Day"), ("originals_bytes", "Originals (bytes)"),
                                      ("renditions_bytes", "Renditions (bytes)")], library.storage, "line"),
    Panel("missing_required", "Assets missing required fields", [("label", "Field"), ("count", "Assets")],
          library.missing_required, "bar"),
    Panel("rights_expiring", "Rights expiring in 30 days",
          [*ASSET, ("rights_expire_at", "Rights end"), ("days_left", "Days left")], library.rights_expiring),
    Panel("fixity_problems", "Fixity problems",
          [*ASSET, ("version", "Version"), ("problem", "Problem"), ("checked_at", "Checked")], library.fixity_problems),
    Panel("top_terms", "Most used terms", [("label", "Term"), ("vocabulary", "Vocabulary"), ("count", "Assets")],
          vocabulary.top_terms, "bar"),
    Panel("least_used_terms", "Least used terms",
          [("label", "Term"), ("vocabulary", "Vocabulary"), ("count", "Assets")], vocabulary.least_used_terms),
    Panel("unused_terms", "Terms never used", [("label", "Term"), ("vocabulary", "Vocabulary")],
          vocabulary.unused_terms),
    Panel("waiting_proposals", "Term proposals waiting",
          [("label", "Proposed term"), ("count", "Proposals"), ("waiting_since", "Waiting since")],
          vocabulary.waiting_proposals),
]
PANELS: dict[str, Panel] = {panel.name: panel for panel in PANEL_LIST}


def report(user: Any, q: ReportQuery, names: Iterable[str] | None = None) -> dict[str, Rows]:
    """The rows of the named panels (all of them by default), in page order. Unknown names raise KeyError:
    callers check them first (the API's `panels=`)."""
    require_analytics(user)
    wanted = list(PANELS) if names is None else [PANELS[name].name for name in names]
    return {name: PANELS[name].read(user, q) for name in PANELS if name in wanted}


__all__ = ["CHANNELS", "PANELS", "PRESET_DAYS", "Panel", "ReportQuery", "asset_usage", "report"]
