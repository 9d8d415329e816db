"""The sidebar: one list of sections, each shown only to those who may use it."""
from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from accounts import permissions as authority
from accounts.permissions import Cap


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    if not user.is_authenticated:
        return {}
    sections = [
        ("Dashboard", "dashboard", None, "home"),
        ("Assets", "assets:list", None, "grid"),
        ("Upload", "assets:upload", Cap.UPLOAD, "upload"),
        ("Collections", "assets:collections", None, "folder"),
        ("Administration", "accounts:admin_users", Cap.ADMINISTER, "settings"),
    ]
    path = request.path
    nav = []
    for label, url_name, cap, icon in sections:
        if cap is not None and not authority.can(user, cap):
            continue
        url = reverse(url_name)
        active = path == url if url == "/" else path.startswith(url)
        nav.append({"label": label, "url": url, "icon": icon, "active": active})
    return {"nav": nav, "user_role": authority.Role(user.role).label if user.role else "No role"}
