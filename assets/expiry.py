"""What happens to a folder's assets when their rights expire, as the folder tree decides it.

A folder's `rights_on_expiry` is its own choice (hide, archive, notify) or "inherit": as the parent folder,
and so on up the tree; a top-level folder that inherits hides. This module is the one place that resolves
it: the daily expiry job (archive.rights), the visibility rule's "kept in use" folders (assets.permissions),
the expiry form and the report all read the answer here.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from assets.models import Collection, RightsOnExpiry

# What a top-level folder that inherits does: hide, the safe choice (and what every folder did before choices
# were inherited).
TOP_LEVEL = RightsOnExpiry.HIDE

SHORT = {RightsOnExpiry.HIDE: "Hide", RightsOnExpiry.ARCHIVE: "Archive", RightsOnExpiry.NOTIFY: "Notify only"}


@dataclass(frozen=True)
class ExpiryChoice:
    """A folder's effective choice, and the folder it comes from (None: the top-level default)."""

    action: str  # hide, archive or notify: never inherit
    source_id: int | None
    source_name: str

    @property
    def label(self) -> str:
        return SHORT[RightsOnExpiry(self.action)]

    def sentence_for(self, collection: Collection) -> str:
        """“Notify only, from Campaigns 2026”, “Hide, this folder's own choice”, “Hide, the default”."""
        if self.source_id is None:
            return f"{self.label}, the default for a folder with no choice above it"
        if self.source_id == collection.pk:
            return f"{self.label}, this folder's own choice"
        return f"{self.label}, from {self.source_name}"


def expiry_choices(collections: Iterable[Collection]) -> dict[int, ExpiryChoice]:
    """The effective choice of each folder (by id): its own, else its nearest ancestor's, else TOP_LEVEL.

    One query for the folders and all their ancestors, whatever their number.
    """
    collections = list(collections)
    needed = {pk for c in collections for pk in (*c.ancestor_ids, c.pk)}
    own = {pk: (choice, name) for pk, choice, name in
           Collection.objects.filter(pk__in=needed).values_list("pk", "rights_on_expiry", "name")}
    return {c.pk: _resolve([*c.ancestor_ids, c.pk], own) for c in collections}


def expiry_choice(collection: Collection) -> ExpiryChoice:
    return expiry_choices([collection])[collection.pk]


def _resolve(chain: list[int], own: dict[int, tuple[str, str]]) -> ExpiryChoice:
    """`chain`: the folder's ancestors from the top, then the folder; the deepest own choice wins."""
    for pk in reversed(chain):
        choice, name = own.get(pk, (RightsOnExpiry.INHERIT, ""))
        if choice != RightsOnExpiry.INHERIT:
            return ExpiryChoice(choice, pk, name)
    return ExpiryChoice(TOP_LEVEL, None, "")


def folders_resolving_to(action: str) -> frozenset[int]:
    """Every folder whose effective choice is `action` (hide, archive or notify), from the folders that chose it
    themselves and the folders under them that inherit it. Two queries; the second reads only the subtrees of
    the folders that chose it."""
    chosen = list(Collection.objects.filter(rights_on_expiry=action).values_list("path", flat=True))
    if not chosen:
        return frozenset()
    under = Q()
    for path in chosen:
        under |= Q(path__startswith=path)
    rows = list(Collection.objects.filter(under).values_list("pk", "path", "rights_on_expiry"))
    own = {pk: (choice, "") for pk, _, choice in rows}
    # A folder in these subtrees has every ancestor down from the chosen folder in `rows` too, and the chosen
    # folder's own choice stops the walk up: the ancestors above it never matter.
    return frozenset(pk for pk, path, _ in rows
                     if _resolve([int(p) for p in path.strip("/").split("/") if p], own).action == action)
