"""The sidebar: one list of sections, each shown only to those who may use it."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions as authority
from accounts.permissions import Cap
from accounts.roles import Role
from archive.models import RightsNotice
from taxonomy.models import Vocabulary
from workflows import selectors as review_selectors
from workflows.models import ApprovalPolicy, AutomationRule


def navigation(request: HttpRequest) -> dict[str, Any]:
    # A request refused before authentication ran (a Host outside ALLOWED_HOSTS answers 400) has no user.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # In groups, so that twenty-odd entries stay findable; a group shows only when one of its entries does.
    sections: list[tuple[str, list[tuple[str, str, Any, str]]]] = [
        ("", [
            ("Dashboard", "dashboard", None, "home"),
            ("Assets", "search:list", None, "grid"),
            ("Upload", "ingest:upload", Cap.UPLOAD, "upload"),
            ("Reviews", "workflows:mine", (Cap.REVIEW, Cap.UPLOAD), "review"),
            ("Collections", "assets:collections", None, "folder"),
            ("Vocabulary", "taxonomy:index", Vocabulary, "tag"),
            ("Suggested terms", "analysis:queue", (Cap.MANAGE_VOCABULARY, Cap.EDIT_METADATA), "tag"),
            ("Lightboxes", "lightboxes:list", None, "lightbox"),
        ]),
        ("Share", [
            ("Share links", "distribution:links", Cap.SHARE, "share"),
            ("Where used", "usage-report", (Cap.SHARE, Cap.EDIT_METADATA), "share"),
        ]),
        ("Archive", [
            ("Archive", "archive:list", Cap.ARCHIVE, "archive"),
            ("Rights expiring", "rights:expiring", RightsNotice, "archive"),
            ("Retention", "archive:retention:rules", Cap.ADMINISTER, "archive"),
            ("Bin", "archive:retention:bin", Cap.ADMINISTER, "archive"),
            ("Fixity", "fixity:runs", Cap.ADMINISTER, "archive"),
            ("BagIt exports", "archive:bags:list", None, "archive"),
        ]),
        ("Reports", [
            ("Analytics", "analytics:page", Cap.VIEW_ANALYTICS, "chart"),
            ("Audit log", "audit:log", Cap.ADMINISTER, "settings"),
        ]),
        ("Settings", [
            ("Administration", "accounts:admin_users", Cap.ADMINISTER, "settings"),
            ("Download presets", "presets:list", Cap.ADMINISTER, "settings"),
            ("Integrations", "integrations:list", Cap.ADMINISTER, "settings"),
            ("Connections", "connections:list", Cap.ADMINISTER, "settings"),
            ("Licences", "rights:licences", Cap.ADMINISTER, "settings"),
            ("Webhooks", "webhooks:list", Cap.ADMINISTER, "settings"),
            ("Approval policies", "approval_policies:list", ApprovalPolicy, "settings"),
            ("Automation", "automation:list", AutomationRule, "settings"),
            ("Content analysis", "analysis_settings:page", Cap.ADMINISTER, "settings"),
        ]),
    ]
    nav: list[dict[str, Any]] = [
        {"label": label, "url": reverse(url_name), "icon": icon, "group": group, "active": False}
        for group, entries in sections for label, url_name, need, icon in entries if _may_use(user, need)
    ]
    for item in nav:
        if item["label"] == "Reviews":
            # What needs this user's hand: reviews waiting for them and their revisions sent back.
            counts = review_selectors.queue_counts(user)  # type: ignore[arg-type]
            item["count"] = counts["mine"] + counts["changes"]
    # The most specific section containing this page is the active one ("/assets/upload/" is Upload, not Assets).
    matches = [item for item in nav if request.path == item["url"] or (item["url"] != "/"
                                                                        and request.path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": nav, "user_role": Role(user.role).label if user.role else "No role",
            "unread_notifications": review_selectors.unread_count(user)}  # type: ignore[arg-type]


def _may_use(user: Any, need: Any) -> bool:
    """A section needs nothing, a capability, any of several capabilities, or (a model) the right to view it."""
    if need is None:
        return True
    if isinstance(need, type):
        return authority.can(user, "view", need)
    return any(authority.can(user, cap) for cap in (need if isinstance(need, tuple) else (need,)))
