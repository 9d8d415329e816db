"""What the drive shows one person: the folders they may see, and in each folder its files by name.

Everything is asked of the permission authority (accounts.permissions, through assets.selectors) and read
once per request into the request's DavContext: a PROPFIND of a folder of 1,000 assets is a handful of
queries, however many members it lists.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from assets import selectors as asset_selectors
from assets.models import Asset, AssetVersion, Collection
from dav.context import DavContext
from dav.models import ScratchFile

# What a file's properties never need of an asset or its versions (large text and JSON).
DEFERRED = ("description", "usage_terms", "channels", "regions", "metadata",
            *(f"{version}__{name}" for version in ("current_version", "approved_version")
              for name in ("embedded_metadata", "dominant_colors", "content_text", "change_note")))


@dataclass
class Folder:
    collection: Collection
    name: str
    children: dict[str, Folder] = field(default_factory=dict)


@dataclass
class Tree:
    top: dict[str, Folder]
    by_id: dict[int, Folder]


def folder_name(collection: Collection) -> str:
    # A folder's name may hold a slash, which a path cannot: it shows as a division slash.
    return collection.name.replace("/", "\u2215")


def tree(ctx: DavContext) -> Tree:
    """The folders the person may see. One whose parent they may not see shows at the top of the drive."""
    if "tree" not in ctx.memo:
        visible = list(asset_selectors.collections_visible_to(ctx.user).only("id", "name", "parent_id", "path",
                                                                           "created_at"))
        by_id = {c.pk: Folder(c, folder_name(c)) for c in visible}
        top: dict[str, Folder] = {}
        for folder in by_id.values():
            parent = by_id.get(folder.collection.parent_id) if folder.collection.parent_id else None
            (parent.children if parent else top)[folder.name] = folder
        ctx.memo["tree"] = Tree(top, by_id)
    result: Tree = ctx.memo["tree"]
    return result


@dataclass
class FileEntry:
    asset: Asset
    version: AssetVersion


@dataclass
class Listing:
    files: dict[str, FileEntry]
    scratch: dict[str, ScratchFile]
    # The names of assets an app moved aside (ScratchFile.hides), by name: whose file a save puts back.
    hidden: dict[str, FileEntry]


def unique_names(entries: list[FileEntry]) -> dict[str, FileEntry]:
    """Each asset by its version's original file name; where several share one (compared as Windows and
    macOS do, ignoring case), the oldest keeps it and the others get their uid's start: "logo (1a2b3c4d).png".
    The same assets give the same names in every listing."""
    groups: dict[str, list[FileEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.version.original_filename.casefold()].append(entry)
    names: dict[str, FileEntry] = {}
    for group in groups.values():
        group.sort(key=lambda e: e.asset.pk)
        for index, entry in enumerate(group):
            name = entry.version.original_filename or f"asset-{entry.asset.uid.hex[:8]}"
            if index:
                path = PurePosixPath(name)
                name = f"{path.stem} ({entry.asset.uid.hex[:8]}){path.suffix}"
            names[name] = entry
    return names


def listing(ctx: DavContext, collection_id: int | None) -> Listing:
    """A folder's files as this person sees them (None: the drive's top level, which holds only folders and
    scratch files)."""
    key = ("listing", collection_id)
    if key not in ctx.memo:
        entries = []
        if collection_id is not None:
            assets = (asset_selectors.assets_visible_to(ctx.user).prefetch_related(None)
                      .filter(collection_id=collection_id, archived_at__isnull=True).defer(*DEFERRED))
            for asset in assets:
                version = asset_selectors.version_shown_to(ctx.user, asset)
                if version is not None:
                    entries.append(FileEntry(asset, version))
        names = unique_names(entries)
        own = ScratchFile.objects.filter(owner=ctx.user)
        own = own.filter(collection_id=collection_id) if collection_id else own.filter(collection__isnull=True)
        scratch = {entry.name: entry for entry in own}
        hidden = {entry.hides: names[entry.hides] for entry in scratch.values()
                  if entry.hides and entry.hides in names}
        files = {name: entry for name, entry in names.items() if name not in hidden}
        ctx.memo[key] = Listing(files, scratch, hidden)
    result: Listing = ctx.memo[key]
    return result


def forget_listing(ctx: DavContext, collection_id: int | None) -> None:
    ctx.memo.pop(("listing", collection_id), None)
