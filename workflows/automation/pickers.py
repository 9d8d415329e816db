"""What the rule form's pickers offer, as (value, label) pairs, for the person writing the rule.

Each list holds only what that person may see: a folder manager picks among their folders, not the whole
tree. The values are what the API takes (a folder's id, a group's name), so the form and the API agree.
"""
from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from accounts import permissions as authority
from assets.models import Collection
from taxonomy.models import MetadataField
from workflows.models import ApprovalPolicy


def folders(user: Any) -> list[tuple[str, str]]:
    """The folders the user sees, each named by its chain ("Library › Campaigns"), in that order."""
    visible = list(authority.visible(user, Collection.objects.all()).order_by("path").only("pk", "name", "path"))
    ids = {int(part) for folder in visible for part in folder.path.strip("/").split("/") if part.isdigit()}
    names = dict(Collection.objects.filter(pk__in=ids).values_list("pk", "name"))
    out = []
    for folder in visible:
        chain = [names.get(int(part), "…") for part in folder.path.strip("/").split("/") if part.isdigit()]
        out.append((str(folder.pk), " › ".join(chain) or folder.name))
    return sorted(out, key=lambda pair: pair[1].lower())


def groups(user: Any) -> list[tuple[str, str]]:
    return [(name, name) for name in Group.objects.order_by("name").values_list("name", flat=True)]


def policies(user: Any) -> list[tuple[str, str]]:
    return [("", "The asset's own policy")] + [
        (str(pk), name) for pk, name in ApprovalPolicy.objects.order_by("name").values_list("pk", "name")]


def fields(user: Any) -> list[tuple[str, str]]:
    return [(key, f"{label} ({key})") for key, label in MetadataField.objects.order_by("label")
            .values_list("key", "label")]
