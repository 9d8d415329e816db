"""The sidebar: one list of sections, each shown only to those who may use it."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions as authority
from accounts.permissions import Cap
from taxonomy.models import Vocabulary


def _may_use(user: Any, need: Any) -> bool:
    """A section needs nothing, a capability, or (given a model) the right to view that model."""
    if need is None:
        return True
    if isinstance(need, type):
        return authority.can(user, "view", need)
    return authority.can(user, need)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    sections = [
        ("Dashboard", "dashboard", None, "home"),
        ("Assets", "assets:list", None, "grid"),
        ("Upload", "assets:upload", Cap.UPLOAD, "upload"),
        ("Collections", "assets:collections", None, "folder"),
        ("Vocabulary", "taxonomy:index", Vocabulary, "tag"),
        ("Share links", "distribution:links", Cap.SHARE, "share"),
        ("Archive", "archive:list", Cap.ARCHIVE, "archive"),
        ("Administration", "accounts:admin_users", Cap.ADMINISTER, "settings"),
    ]
    nav: list[dict[str, Any]] = [{"label": label, "url": reverse(url_name), "icon": icon, "active": False}
           for label, url_name, cap, icon in sections if _may_use(user, cap)]
    # The most specific section containing this page is the active one ("/assets/upload/" is Upload, not Assets).
    matches = [item for item in nav if request.path == item["url"] or (item["url"] != "/"
                                                                        and request.path.startswith(item["url"]))]
    if matches:
        max(matches, key=lambda item: len(item["url"]))["active"] = True
    return {"nav": nav, "user_role": authority.Role(user.role).label if user.role else "No role"}
