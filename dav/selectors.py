"""What the drive shows one person: the folders they may see, and in each folder its files by name.

Everything is asked of the permission authority (accounts.permissions, through assets.selectors) and read
once per request into the request's DavContext: a PROPFIND of a folder of 1,000 assets is a handful of
queries, however many members it lists.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from accounts import permissions as authority
from assets import selectors as asset_selectors
from assets.models import Asset, AssetVersion, Collection
from dav.context import DavContext
from dav.models import ScratchFile

# What a listing reads of an asset and of the versions it may show: a listing of 1,000 assets builds 3,000
# model instances, and the rest of their columns (JSON, long text) would cost more than the query.
VERSION_FIELDS = ("asset_id", "original_filename", "size", "mime_type", "sha256", "created_at", "file",
                  "storage_tier", "review_state")
ONLY = ("uid", "owner_id", "collection_id", "created_at", "current_version_id", "approved_version_id",
        "archived_at", "drive_name__name",
        *(f"{version}__{name}" for version in ("current_version", "approved_version") for name in VERSION_FIELDS))


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


def base_name(entry: FileEntry) -> str:
    """The asset's own name on the drive, before unique_names tells apart those that share it."""
    drive_name = getattr(entry.asset, "drive_name", None)
    if drive_name is not None:
        return str(drive_name.name)
    return entry.version.original_filename or f"asset-{entry.asset.uid.hex[:8]}"


def unique_names(entries: list[FileEntry]) -> dict[str, FileEntry]:
    """Each asset by its version's original file name; where several share one (compared as Windows and
    macOS do, ignoring case), the oldest keeps it and the others get their uid's start: "logo (1a2b3c4d).png".
    The same assets give the same names in every listing."""
    groups: dict[str, list[FileEntry]] = defaultdict(list)
    for entry in entries:
        groups[base_name(entry).casefold()].append(entry)
    names: dict[str, FileEntry] = {}
    for group in groups.values():
        group.sort(key=lambda e: e.asset.pk)
        for index, entry in enumerate(group):
            name = base_name(entry)
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
            assets = (authority.visible(ctx.user, Asset.objects.filter(collection_id=collection_id,
                                                                        archived_at__isnull=True))
                      .select_related("current_version", "approved_version", "drive_name").only(*ONLY))
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
