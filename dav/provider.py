"""The drive's tree for WsgiDAV: folders are collections, files are assets, plus each person's scratch files.

    /dav/                        the folders one may see whose parent one may not (usually the top ones)
    /dav/Marketing/              a collection: its sub-folders, its assets, and one's own scratch files
    /dav/Marketing/logo.psd      an asset, by its shown version's file name (selectors.unique_names)

Resources read through dav.selectors and write through dav.services; a refusal from a service becomes the
WebDAV status that says it (errors.as_dav_error).
"""
from __future__ import annotations

import io
import mimetypes
from typing import Any

from django.core.files.storage import default_storage
from wsgidav import util
from wsgidav.dav_error import HTTP_FORBIDDEN, HTTP_NOT_FOUND, DAVError
from wsgidav.dav_provider import DAVCollection, DAVNonCollection, DAVProvider

from accounts import permissions as authority
from assets import services as asset_services
from assets.models import Asset
from assets.originals import open_original
from dav import selectors, services
from dav.clients import is_scratch_name
from dav.context import DavContext, from_environ
from dav.errors import as_dav_error, refuse
from dav.models import ScratchFile
from dav.spool import Spool

FOLDER_PAGE = ("This is a folder of the DAM's WebDAV drive. Connect to the drive from Finder (Connect to Server), "
               "Windows (Map network drive) or your file manager, with your username and an API token: your page "
               "in the DAM shows how.\n")


def _segments(path: str) -> list[str]:
    return [part for part in path.strip("/").split("/") if part]


class DamProvider(DAVProvider):
    def get_resource_inst(self, path: str, environ: dict[str, Any]) -> Any:
        ctx = from_environ(environ)
        parts = _segments(path)
        folder = None
        children = selectors.tree(ctx).top
        for index, part in enumerate(parts):
            child = children.get(part)
            if child is None:
                if index != len(parts) - 1:
                    return None
                return _file(util.join_uri(_folder_path(parts[:-1]), part), environ, folder, part)
            folder, children = child, child.children
        return FolderResource(_folder_path(parts), environ, folder)

    def custom_request_handler(self, environ: dict[str, Any], start_response: Any, default_handler: Any) -> Any:
        """A browser opening a folder of the drive gets a sentence saying what it is, not a listing."""
        if environ["REQUEST_METHOD"] in ("GET", "HEAD"):
            res = self.get_resource_inst(environ["PATH_INFO"], environ)
            if res is not None and res.is_collection:
                body = FOLDER_PAGE.encode()
                start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8"),
                                          ("Content-Length", str(len(body)))])
                return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]
        return default_handler(environ, start_response)

    def asset_at(self, ref_url: str, ctx: DavContext) -> Asset | None:
        """The asset a lock's URL names, or None (a folder, a scratch file, nothing)."""
        res = self.get_resource_inst(self.ref_url_to_path(ref_url), ctx.environ)
        return res.entry.asset if isinstance(res, AssetResource) else None


def _folder_path(parts: list[str]) -> str:
    return "/" + "".join(f"{part}/" for part in parts)


def _file(path: str, environ: dict[str, Any], folder: selectors.Folder | None, name: str) -> Any:
    ctx = from_environ(environ)
    found = selectors.listing(ctx, folder.collection.pk if folder else None, named=name)
    if name in found.files:
        return AssetResource(path, environ, folder, found.files[name])
    if name in found.scratch:
        return ScratchResource(path, environ, folder, name, found.scratch[name])
    return None


class _Mixin:
    environ: dict[str, Any]

    @property
    def ctx(self) -> DavContext:
        return from_environ(self.environ)


class FolderResource(_Mixin, DAVCollection):
    def __init__(self, path: str, environ: dict[str, Any], folder: selectors.Folder | None):
        super().__init__(path, environ)
        self.folder = folder

    @property
    def collection_id(self) -> int | None:
        return self.folder.collection.pk if self.folder else None

    def _children(self) -> dict[str, selectors.Folder]:
        return self.folder.children if self.folder else selectors.tree(self.ctx).top

    def get_display_name(self) -> str:
        return self.folder.name if self.folder else "DAM"

    def get_creation_date(self) -> float | None:
        return self.folder.collection.created_at.timestamp() if self.folder else None

    def get_last_modified(self) -> float | None:
        return None

    def get_member_names(self) -> list[str]:
        found = selectors.listing(self.ctx, self.collection_id)
        return [*self._children(), *found.files, *found.scratch]

    def get_member(self, name: str) -> Any:
        child = self._children().get(name)
        if child is not None:
            return FolderResource(util.join_uri(self.path, name) + "/", self.environ, child)
        return _file(util.join_uri(self.path, name), self.environ, self.folder, name)

    def get_member_list(self) -> list[Any]:
        found = selectors.listing(self.ctx, self.collection_id)
        members: list[Any] = [FolderResource(util.join_uri(self.path, name) + "/", self.environ, child)
                              for name, child in self._children().items()]
        members += [AssetResource(util.join_uri(self.path, name), self.environ, self.folder, entry)
                    for name, entry in found.files.items()]
        members += [ScratchResource(util.join_uri(self.path, name), self.environ, self.folder, name, entry)
                    for name, entry in found.scratch.items()]
        return members

    def create_empty_resource(self, name: str) -> Any:
        path = util.join_uri(self.path, name)
        if self.environ.get("REQUEST_METHOD") == "LOCK":
            # Locking a name that does not exist makes an empty file of it (RFC 4918, 7.3): kept in the
            # scratch space until content arrives, so no empty asset is made.
            if is_scratch_name(name) or self.folder is None:
                _require_scratch(self.ctx, self.folder)
            else:
                self._require_contribute()
            entry = services.scratch_write(actor=self.ctx.user, collection=self.folder.collection if self.folder
                                           else None, name=name, fileobj=None)
            selectors.forget_listing(self.ctx, self.collection_id)
            return ScratchResource(path, self.environ, self.folder, name, entry)
        if is_scratch_name(name):
            _require_scratch(self.ctx, self.folder)
            return ScratchResource(path, self.environ, self.folder, name, None)
        if self.folder is None:
            refuse(HTTP_FORBIDDEN, "Files live in folders: save into one of the drive's folders.")
        self._require_contribute()
        return NewFileResource(path, self.environ, self.folder, name)

    def _require_contribute(self) -> None:
        if self.folder is None or not authority.can(self.ctx.user, "contribute", self.folder.collection):
            refuse(HTTP_FORBIDDEN, "You may not add files to this folder.")

    def create_collection(self, name: str) -> None:
        if is_scratch_name(name):
            refuse(HTTP_FORBIDDEN, "Folders with temporary names are not kept.")
        try:
            asset_services.collection_create(name=name, actor=self.ctx.user,
                                             parent=self.folder.collection if self.folder else None)
        except Exception as exc:
            raise as_dav_error(exc) from None
        self.ctx.memo.pop("tree", None)

    def handle_delete(self) -> bool:
        if self.folder is None:
            refuse(HTTP_FORBIDDEN, "The drive itself cannot be deleted.")
        try:
            asset_services.collection_delete(collection=self.folder.collection, actor=self.ctx.user)
        except Exception as exc:
            raise as_dav_error(exc) from None
        self.ctx.memo.pop("tree", None)
        return True

    def support_recursive_delete(self) -> bool:
        return True

    def handle_move(self, dest_path: str) -> bool:
        refuse(HTTP_FORBIDDEN, "Folders are renamed and moved in the DAM, where their grants are managed.")
        return False

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        refuse(HTTP_FORBIDDEN, "Folders are not copied on the drive: a copy of every asset would be a duplicate.")
        return False

    def support_recursive_move(self, dest_path: str) -> bool:
        return False

    def set_property_value(self, name: str, value: Any, *, dry_run: bool = False) -> None:
        refuse(HTTP_FORBIDDEN, "The drive keeps no properties of its own.")


def _require_scratch(ctx: DavContext, folder: selectors.Folder | None) -> None:
    """Temporary files are written by those who may save files: into a folder they may add to, or at the top
    of the drive if they may upload at all. Viewers' writes are refused, temporary ones too."""
    allowed = (authority.can(ctx.user, "contribute", folder.collection) if folder is not None
               else authority.can(ctx.user, authority.Cap.UPLOAD))
    if not allowed:
        refuse(HTTP_FORBIDDEN, "You may not save files here.")


class _File(_Mixin, DAVNonCollection):
    """What every file on the drive shares: its body is written to a spool, then handed to a service."""

    spool: Spool | None = None

    def __init__(self, path: str, environ: dict[str, Any], folder: selectors.Folder | None, name: str):
        super().__init__(path, environ)
        self.folder, self.name = folder, name

    def get_display_name(self) -> str:
        return self.name

    def support_ranges(self) -> bool:
        return True

    def begin_write(self, *, content_type: str | None = None) -> Spool:
        self.spool = Spool(self.name)
        self.content_type_sent = content_type or ""
        return self.spool

    def end_write(self, *, with_errors: bool) -> None:
        spool, self.spool = self.spool, None
        if spool is None:
            return
        try:
            if not with_errors:
                self.save(spool)
        finally:
            spool.discard()
        selectors.forget_listing(self.ctx, self.folder.collection.pk if self.folder else None)

    def save(self, spool: Spool) -> None:
        """Keep the written bytes: each kind of file below says how (a revision, a scratch file, a new asset)."""
        raise NotImplementedError

    def set_property_value(self, name: str, value: Any, *, dry_run: bool = False) -> None:
        refuse(HTTP_FORBIDDEN, "The drive keeps no properties of its own.")

    def handle_move(self, dest_path: str) -> bool:
        return self._transfer(dest_path, move=True)

    def handle_copy(self, dest_path: str, *, depth_infinity: bool) -> bool:
        return self._transfer(dest_path, move=False)

    def _transfer(self, dest_path: str, *, move: bool) -> bool:
        """MOVE or COPY to dest_path: each kind of file below says what it allows."""
        raise NotImplementedError

    def _destination(self, dest_path: str) -> tuple[Any, selectors.Folder | None, str]:
        """The resource at dest_path (or None), the folder it is in, and its name."""
        provider: DamProvider = self.provider
        parent = provider.get_resource_inst(util.get_uri_parent(dest_path), self.environ)
        if not isinstance(parent, FolderResource):
            refuse(HTTP_NOT_FOUND, "The destination folder does not exist.")
        name = util.get_uri_name(dest_path)
        return provider.get_resource_inst(dest_path, self.environ), parent.folder, name

    def _save_onto(self, fileobj: Any, size: int, dest: Any, folder: selectors.Folder | None, name: str) -> None:
        """Bytes saved under a name: a revision of the asset there (or of the one an app moved aside from it),
        a scratch file under a temporary name, else a new asset."""
        ctx = self.ctx
        collection = folder.collection if folder else None
        hidden = selectors.listing(ctx, collection.pk if collection else None, named=name).hidden.get(name)
        target = dest.entry if isinstance(dest, AssetResource) else hidden
        try:
            if target is not None:
                services.revision_save(asset=target.asset, fileobj=fileobj, filename=selectors.base_name(target),
                                       actor=ctx.user, client=ctx.client)
                services.stop_hiding(actor=ctx.user, collection=collection, name=name)
                if isinstance(dest, ScratchResource) and dest.entry is not None:
                    services.scratch_delete(actor=ctx.user, entry=dest.entry)
            elif is_scratch_name(name) or size == 0:
                _require_scratch(ctx, folder)
                services.scratch_write(actor=ctx.user, collection=collection, name=name, fileobj=fileobj, size=size)
            else:
                if collection is None:
                    refuse(HTTP_FORBIDDEN, "Files live in folders: save into one of the drive's folders.")
                _upload(ctx, collection, fileobj, name)
                if isinstance(dest, ScratchResource) and dest.entry is not None:
                    services.scratch_delete(actor=ctx.user, entry=dest.entry)
        except DAVError:
            raise
        except Exception as exc:
            raise as_dav_error(exc) from None
        selectors.forget_listing(ctx, collection.pk if collection else None)


def _upload(ctx: DavContext, collection: Any, fileobj: Any, name: str) -> None:
    uploaded = services.asset_upload(collection=collection, fileobj=fileobj, filename=name, actor=ctx.user)
    if uploaded.item.asset_id is None:
        raise as_dav_error(uploaded.error, reason=uploaded.item.reason)


class AssetResource(_File):
    def __init__(self, path: str, environ: dict[str, Any], folder: selectors.Folder | None,
                 entry: selectors.FileEntry):
        super().__init__(path, environ, folder, util.get_uri_name(path))
        self.entry = entry

    def get_content_length(self) -> int:
        return self.entry.version.size

    def get_content_type(self) -> str:
        return self.entry.version.mime_type or "application/octet-stream"

    def get_creation_date(self) -> float:
        return self.entry.asset.created_at.timestamp()

    def get_last_modified(self) -> float:
        return self.entry.version.created_at.timestamp()

    def get_etag(self) -> str:
        return self.entry.version.sha256

    def support_etag(self) -> bool:
        return True

    def get_content(self) -> Any:
        return open_original(self.entry.version)

    def save(self, spool: Spool) -> None:
        try:
            version = services.revision_save(asset=self.entry.asset, fileobj=spool.file,
                                             filename=selectors.base_name(self.entry), actor=self.ctx.user,
                                             client=self.ctx.client)
        except Exception as exc:
            raise as_dav_error(exc) from None
        if version is not None:  # the answer's ETag is the new revision's
            self.entry = selectors.FileEntry(self.entry.asset, version)

    def delete(self) -> None:
        try:
            asset_services.asset_discard(asset=self.entry.asset, actor=self.ctx.user)
        except Exception as exc:
            raise as_dav_error(exc, reason=(
                "Only your own draft that was never sent for review can be deleted from the drive; archive "
                "assets in the DAM.")) from None
        selectors.forget_listing(self.ctx, self.entry.asset.collection_id)

    def _transfer(self, dest_path: str, *, move: bool) -> bool:
        dest, folder, name = self._destination(dest_path)
        same_folder = folder is not None and folder.collection.pk == self.entry.asset.collection_id
        if move and same_folder and is_scratch_name(name) and not isinstance(dest, AssetResource):
            # Word, Excel and others rename the file they are saving over to a backup name first.
            if not authority.can(self.ctx.user, "add_version", self.entry.asset):
                refuse(HTTP_FORBIDDEN, "You may not save over this asset.")
            try:
                services.asset_move_aside(actor=self.ctx.user, asset=self.entry.asset, version=self.entry.version,
                                          shown_name=self.name, name=name)
            except Exception as exc:
                raise as_dav_error(exc) from None
            selectors.forget_listing(self.ctx, self.entry.asset.collection_id)
            return True
        if not move and is_scratch_name(name):
            _require_scratch(self.ctx, folder)
            with self.get_content() as handle:
                self._save_onto(handle, self.entry.version.size, dest, folder, name)
            return True
        if move:
            refuse(HTTP_FORBIDDEN, "Assets are renamed and moved in the DAM; on the drive, save over them.")
        refuse(HTTP_FORBIDDEN, "Copies of assets are not made on the drive: a copy would be a duplicate. "
                               "Use the asset in several places from the DAM.")
        return False


class ScratchResource(_File):
    def __init__(self, path: str, environ: dict[str, Any], folder: selectors.Folder | None, name: str,
                 entry: ScratchFile | None):
        super().__init__(path, environ, folder, name)
        self.entry = entry

    def get_content_length(self) -> int:
        return self.entry.size if self.entry else 0

    def get_content_type(self) -> str:
        if self.entry and self.entry.content_type:
            return self.entry.content_type
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def get_creation_date(self) -> float | None:
        return self.entry.updated_at.timestamp() if self.entry else None

    def get_last_modified(self) -> float | None:
        return self.entry.updated_at.timestamp() if self.entry else None

    def get_etag(self) -> str | None:
        if self.entry is None:
            return None
        return f"scratch-{self.entry.pk}-{int(self.entry.updated_at.timestamp() * 1000)}"

    def support_etag(self) -> bool:
        return True

    def get_content(self) -> Any:
        if self.entry is None:
            return io.BytesIO(b"")
        if self.entry.version is not None:
            return open_original(self.entry.version)
        if self.entry.key:
            return default_storage.open(self.entry.key, "rb")
        return io.BytesIO(b"")

    def save(self, spool: Spool) -> None:
        self._save_onto(spool.file, spool.size, self, self.folder, self.name)

    def delete(self) -> None:
        if self.entry is not None:
            services.scratch_delete(actor=self.ctx.user, entry=self.entry)
            selectors.forget_listing(self.ctx, self.folder.collection.pk if self.folder else None)

    def _transfer(self, dest_path: str, *, move: bool) -> bool:
        dest, folder, name = self._destination(dest_path)
        entry = self.entry
        if entry is None:
            refuse(HTTP_NOT_FOUND, "The file does not exist.")
        assert entry is not None
        collection = folder.collection if folder else None
        if entry.version is not None and entry.hides == name and move:
            # An asset moved aside and back again (a save that was given up): the asset shows as before.
            services.scratch_delete(actor=self.ctx.user, entry=entry)
        elif move and is_scratch_name(name) and not isinstance(dest, AssetResource):
            _require_scratch(self.ctx, folder)
            try:
                services.scratch_rename(actor=self.ctx.user, entry=entry, collection=collection, name=name)
            except Exception as exc:
                raise as_dav_error(exc) from None
        else:
            # The end of a save dance: the temporary file becomes the asset's new revision (or a new asset).
            with self.get_content() as handle:
                self._save_onto(handle, entry.size, dest, folder, name)
            if move:
                services.scratch_delete(actor=self.ctx.user, entry=entry)
        selectors.forget_listing(self.ctx, self.folder.collection.pk if self.folder else None)
        selectors.forget_listing(self.ctx, collection.pk if collection else None)
        return True


class NewFileResource(_File):
    """A name PUT into a folder for the first time: a new asset once its body has arrived."""

    def get_content_length(self) -> int:
        return 0

    def get_content_type(self) -> str:
        return "application/octet-stream"

    def get_etag(self) -> str | None:
        return None

    def support_etag(self) -> bool:
        return False

    def get_content(self) -> Any:
        return io.BytesIO(b"")

    def save(self, spool: Spool) -> None:
        self._save_onto(spool.file, spool.size, None, self.folder, self.name)

    def _transfer(self, dest_path: str, *, move: bool) -> bool:
        refuse(HTTP_NOT_FOUND, "The file does not exist.")
        return False
