"""The roles of DESIGN.md's matrix, and which one a user holds.

Apart from accounts.permissions (which holds what each role may do) so that the
user model can name a user's role without importing the permission authority.
"""
from __future__ import annotations

from typing import Any

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    LIBRARIAN = "librarian", "Librarian"
    BRAND_MANAGER = "brand_manager", "Brand manager"
    EDITOR = "editor", "Editor"
    CONTRIBUTOR = "contributor", "Contributor"
    VIEWER = "viewer", "Viewer"


ROLE_GROUP_NAMES: dict[Role, str] = {role: role.label for role in Role}


def role_of(user: Any) -> str | None:
    """The user's role (the first role group they are in, strongest first)."""
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN.value
    names = {group.name for group in user.groups.all()}
    for role in Role:
        if ROLE_GROUP_NAMES[role] in names:
            return role.value
    return None
