"""Writing a bag: the files of each asset read through the storage API (local or S3), its metadata as
JSON, an XMP sidecar per file; then bagit makes the SHA-256 manifests and bag-info, and the bag is zipped."""
from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import bagit
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from zipstream import ZipStream

from accounts.models import AuditEvent, User
from archive.bags import layout, selectors
from assets.models import Asset, AssetVersion
from workflows.models import Review

# Rendition files have no extension in storage; their type gives it.
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/avif": ".avif",
               "image/gif": ".gif"}


def _name(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _copy_out(key: str, target: Path) -> None:
    """Copy a stored file to the bag in blocks (S3 objects are streamed, never read whole)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with default_storage.open(key, "rb") as src, open(target, "wb") as dst:
        shutil.copyfileobj(src, dst, 1024 * 1024)


def _asset_fields(asset: Asset, terms: list[dict[str, Any]]) -> dict[str, Any]:
    chain = [asset.collection]
    if asset.collection.ancestor_ids:
        ancestors = {c.pk: c for c in type(asset.collection).objects.filter(pk__in=asset.collection.ancestor_ids)}
        chain = [ancestors[pk] for pk in asset.collection.ancestor_ids if pk in ancestors] + chain
    return {
        "uid": str(asset.uid), "title": asset.title, "description": asset.description,
        "asset_type": asset.asset_type, "collection": [c.name for c in chain],
        "owner": _name(asset.owner), "team": asset.team.name if asset.team else None, "campaign": asset.campaign,
        "rights": {"licence": asset.licence, "rights_holder": asset.rights_holder, "usage_terms": asset.usage_terms,
                   "channels": asset.channels, "rights_expire_at": _iso(asset.rights_expire_at),
                   "embargo_until": _iso(asset.embargo_until)},
        "metadata": asset.metadata, "focal_x": asset.focal_x, "focal_y": asset.focal_y, "terms": terms,
        "archived_at": _iso(asset.archived_at), "created_at": _iso(asset.created_at),
        "updated_at": _iso(asset.updated_at),
    }


def _version_fields(version: AssetVersion, path: str) -> dict[str, Any]:
    return {
        "number": version.number, "path": path, "original_filename": version.original_filename,
        "sha256": version.sha256, "size": version.size, "mime_type": version.mime_type, "width": version.width,
        "height": version.height, "duration": version.duration, "pages": version.pages,
        "embedded_metadata": version.embedded_metadata, "phash": version.phash,
        "dominant_colors": version.dominant_colors, "camera_make": version.camera_make,
        "camera_model": version.camera_model, "captured_on": _iso(version.captured_on),
        "uploaded_by": _name(version.uploaded_by), "change_note": version.change_note,
        "review_state": version.review_state, "created_at": _iso(version.created_at), "renditions": [],
    }


def _reviews(reviews: list[Review]) -> list[dict[str, Any]]:
    return [{
        "version": review.version.number, "policy": review.policy.name, "submitted_by": _name(review.submitted_by),
        "comment": review.comment, "snapshot": review.snapshot, "step": review.step,
        "step_opened_at": _iso(review.step_opened_at), "outcome": review.outcome,
        "created_at": _iso(review.created_at), "closed_at": _iso(review.closed_at),
        "decisions": [{"step": d.step, "reviewer": _name(d.reviewer), "kind": d.kind, "comment": d.comment,
                       "sha256": d.sha256, "created_at": _iso(d.created_at)} for d in review.decisions.all()],
    } for review in reviews]


def _events(events: Iterable[AuditEvent], versions: dict[int, int], reviews: dict[int, int]) -> list[dict[str, Any]]:
    """Events as JSON; their target said as what it is in the bag (the asset, version n, the i-th review of the
    asset's `reviews`), since database ids mean nothing in another DAM."""
    out = []
    for event in events:
        model = event.target_type.model_class() if event.target_type else None
        target: dict[str, Any] = {"kind": "asset"}
        if model is not None and issubclass(model, AssetVersion):
            target = {"kind": "version", "version": versions.get(int(event.target_id))}
        elif model is Review:
            target = {"kind": "review", "review": reviews.get(int(event.target_id))}
        out.append({"verb": event.verb, "actor": _name(event.actor), "at": _iso(event.created_at),
                    "target": target, "target_repr": event.target_repr, "data": event.data})
    return out


def _write_asset(data: Path, asset: Asset, user: User | None) -> dict[str, int]:
    """Write one asset's folder; return what it added (versions, renditions, files)."""
    uid = str(asset.uid)
    versions = list(selectors.versions_for_export(user, asset))
    terms = [{"uri": link.term.uri, "label": link.term.label, "vocabulary": link.term.vocabulary.uri,
              "source": link.source, "confidence": link.confidence} for link in selectors.terms_of(asset)]
    record = _asset_fields(asset, terms)
    shown = {v.pk for v in versions}
    record["current_version"] = asset.current_version.number if asset.current_version_id in shown else None  # type: ignore[union-attr]
    record["approved_version"] = asset.approved_version.number if asset.approved_version_id in shown else None  # type: ignore[union-attr]
    record["versions"] = []
    counts = {"versions": 0, "renditions": 0}
    for version in versions:
        folder = layout.version_folder(uid, version.number)
        name = layout.safe_name(version.original_filename)
        _copy_out(version.file.name, data / folder / name)
        fields = _version_fields(version, f"{folder}/{name}")
        created = _iso(version.captured_on) or _iso(version.created_at)
        (data / folder / f"{name}{layout.SIDECAR}").write_bytes(layout.xmp_sidecar(
            record, mime_type=version.mime_type, source=version.original_filename, created=created))
        if version.pk == asset.approved_version_id:
            fields["renditions"] = _write_renditions(data, folder, version, record, created)
            counts["renditions"] += len(fields["renditions"])
        record["versions"].append(fields)
        counts["versions"] += 1
    if selectors.may_take_history(user):
        reviews = list(selectors.reviews_of(versions))
        record["reviews"] = _reviews(reviews)
        record["events"] = _events(selectors.events_of(asset, versions, reviews),
                                   {v.pk: v.number for v in versions}, {r.pk: i for i, r in enumerate(reviews)})
    (data / uid / layout.ASSET_JSON).write_text(json.dumps(record, cls=DjangoJSONEncoder, indent=2,
                                                           ensure_ascii=False), encoding="utf-8")
    return counts


def _write_renditions(data: Path, folder: str, version: AssetVersion, record: dict[str, Any],
                      created: str | None) -> list[dict[str, Any]]:
    made = []
    for rendition in selectors.ready_renditions(version):
        name = f"{layout.safe_name(rendition.preset, 'rendition')}{_EXTENSIONS.get(rendition.mime_type, '.bin')}"
        path = f"{folder}/renditions/{name}"
        try:
            _copy_out(rendition.file.name, data / path)
        except FileNotFoundError:  # a derivative lost from the store is made again later; the original counts
            continue
        (data / f"{path}{layout.SIDECAR}").write_bytes(layout.xmp_sidecar(
            record, mime_type=rendition.mime_type, source=f"{rendition.preset} of {version.original_filename}",
            created=created))
        made.append({"preset": rendition.preset, "path": path, "mime_type": rendition.mime_type,
                     "width": rendition.width, "height": rendition.height, "size": rendition.size})
    return made


def write_bag(root: Path, assets: Iterable[Asset], *, user: User | None, identifier: str, description: str,
              progress: Callable[[int], None] = lambda done: None) -> bagit.Bag:
    """Write the assets into `root` (an empty folder) and make it a bag with SHA-256 manifests."""
    data = root  # bagit moves what the folder holds into data/ when it makes the bag
    data.mkdir(parents=True, exist_ok=True)
    counts = {"assets": 0, "versions": 0, "renditions": 0}
    uids = []
    for asset in assets:
        added = _write_asset(data, asset, user)
        counts["assets"] += 1
        counts["versions"] += added["versions"]
        counts["renditions"] += added["renditions"]
        uids.append(str(asset.uid))
        progress(counts["assets"])
    now = timezone.now()
    (data / layout.BAG_JSON).write_text(json.dumps({
        "format": layout.FORMAT, "source": settings.DAM_BASE_URL, "identifier": identifier,
        "description": description, "exported_at": now.isoformat(), "exported_by": _name(user) or "system",
        "history": selectors.may_take_history(user), "assets": uids, "counts": counts,
    }, indent=2, ensure_ascii=False), encoding="utf-8")
    bag_info = {
        "Source-Organization": settings.DAM_BASE_URL, "External-Identifier": identifier,
        "External-Description": description[:500], "Bagging-Date": now.date().isoformat(),
        "Bagging-Time": now.isoformat(), "Contact-Name": _name(user) or "system",
        "DAM-Format": layout.FORMAT, "DAM-Asset-Count": str(counts["assets"]),
        "DAM-Version-Count": str(counts["versions"]), "DAM-Rendition-Count": str(counts["renditions"]),
    }
    return bagit.make_bag(str(root), bag_info, checksums=["sha256"])


def zip_bag(root: Path, out: IO[bytes]) -> int:
    """Zip the bag folder under its own name (stored, not compressed: media are compressed already)."""
    stream = ZipStream.from_path(str(root), arcname=root.name)
    written = 0
    for chunk in stream:
        out.write(chunk)
        written += len(chunk)
    return written

