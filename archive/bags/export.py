"""Writing a bag: the files of each asset streamed from the store (local or S3) into the zip and hashed on
the way (bagzip.ZippedBag), its metadata as JSON, an XMP sidecar per file; then bag-info and the manifests."""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from accounts.models import AuditEvent, User
from archive.bags import layout, selectors
from archive.bags.bagzip import ZippedBag
from archive.fixity.reading import chunks
from assets.models import Asset, AssetVersion, Collection, Rendition
from assets.originals import original_storage
from workflows.models import Review

# Assets read and written per round of queries.
CHUNK = 100
# Rendition files have no extension in storage; their type gives it.
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/avif": ".avif",
               "image/gif": ".gif"}


def _name(user: User | None) -> str | None:
    return user.get_username() if user is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _asset_fields(asset: Asset, chain: list[str], terms: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "uid": str(asset.uid), "title": asset.title, "description": asset.description,
        "asset_type": asset.asset_type, "collection": chain,
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


def _reviews(reviews: list[Review], numbers: dict[int, int]) -> list[dict[str, Any]]:
    return [{
        "version": numbers.get(review.version_id), "policy": review.policy.name,
        "submitted_by": _name(review.submitted_by),
        "comment": review.comment, "snapshot": review.snapshot, "step": review.step,
        "step_opened_at": _iso(review.step_opened_at), "outcome": review.outcome,
        "created_at": _iso(review.created_at), "closed_at": _iso(review.closed_at),
        "decisions": [{"step": d.step, "reviewer": _name(d.reviewer), "kind": d.kind, "comment": d.comment,
                       "sha256": d.sha256, "created_at": _iso(d.created_at)} for d in review.decisions.all()],
    } for review in reviews]


def _events(events: Iterable[AuditEvent], versions: dict[int, int], reviews: dict[int, int],
            kinds: dict[int, str]) -> list[dict[str, Any]]:
    """Events as JSON; their target said as what it is in the bag (the asset, version n, the i-th review of the
    asset's `reviews`), since database ids mean nothing in another DAM."""
    out = []
    for event in events:
        kind = kinds.get(event.target_type_id or 0, "asset")
        target: dict[str, Any] = {"kind": "asset"}
        if kind == "version":
            target = {"kind": "version", "version": versions.get(int(event.target_id))}
        elif kind == "review":
            target = {"kind": "review", "review": reviews.get(int(event.target_id))}
        out.append({"verb": event.verb, "actor": _name(event.actor), "at": _iso(event.created_at),
                    "target": target, "target_repr": event.target_repr, "data": event.data})
    return out


class MissingOriginal(Exception):
    """An original the database lists is not in the store: the bag would be incomplete, so none is made."""


class _Writer:
    """Writes assets into a bag's payload, a chunk of assets at a time."""

    def __init__(self, bag: ZippedBag, user: User | None) -> None:
        self.bag, self.user = bag, user
        self.history = selectors.may_take_history(user)
        self.counts = {"assets": 0, "versions": 0, "renditions": 0}
        self.chains: dict[int, list[str]] = {}
        types = ContentType.objects.get_for_models(AssetVersion, Review)
        self.kinds = {types[AssetVersion].pk: "version", types[Review].pk: "review"}

    def chain(self, asset: Asset) -> list[str]:
        collection = asset.collection
        if collection.pk not in self.chains:
            ancestors = {c.pk: c.name for c in Collection.objects.filter(pk__in=collection.ancestor_ids)}
            self.chains[collection.pk] = [ancestors[pk] for pk in collection.ancestor_ids if pk in ancestors] + [
                collection.name]
        return self.chains[collection.pk]

    def place(self, key: str, path: str, size: int | None, storage: Storage = default_storage) -> None:
        """A stored file into the payload, read once (FileNotFoundError when the store lacks it)."""
        self.bag.add_stream(path, chunks(storage, key), size_hint=size)

    def chunk(self, assets: list[Asset]) -> None:
        found = selectors.chunk_for_export(self.user, assets)
        for asset in assets:
            self.asset(asset, found)

    def asset(self, asset: Asset, found: selectors.Chunk) -> None:
        uid = str(asset.uid)
        versions = found.versions.get(asset.pk, [])
        terms = [{"uri": link.term.uri, "label": link.term.label, "vocabulary": link.term.vocabulary.uri,
                  "source": link.source, "confidence": link.confidence} for link in found.terms.get(asset.pk, [])]
        record = _asset_fields(asset, self.chain(asset), terms)
        numbers = {v.pk: v.number for v in versions}
        record["current_version"] = numbers.get(asset.current_version_id)  # type: ignore[arg-type]
        record["approved_version"] = numbers.get(asset.approved_version_id)  # type: ignore[arg-type]
        record["versions"] = []
        for version in versions:
            folder = layout.version_folder(uid, version.number)
            name = layout.safe_name(version.original_filename)
            try:
                self.place(version.file.name, f"{folder}/{name}", version.size, original_storage(version))
            except FileNotFoundError:
                raise MissingOriginal(f"the original of “{asset.title}” version {version.number} is missing from "
                                      "the file store (the storage sweep reports such files)") from None
            fields = _version_fields(version, f"{folder}/{name}")
            created = _iso(version.captured_on) or _iso(version.created_at)
            self.bag.add_bytes(f"{folder}/{name}{layout.SIDECAR}", layout.xmp_sidecar(
                record, mime_type=version.mime_type, source=version.original_filename, created=created))
            if version.pk == asset.approved_version_id:
                fields["renditions"] = self.renditions(folder, version, found.renditions.get(version.pk, []),
                                                       record, created)
                self.counts["renditions"] += len(fields["renditions"])
            record["versions"].append(fields)
            self.counts["versions"] += 1
        if self.history:
            reviews = found.reviews.get(asset.pk, [])
            record["reviews"] = _reviews(reviews, numbers)
            record["events"] = _events(found.events.get(asset.pk, []), numbers,
                                       {r.pk: i for i, r in enumerate(reviews)}, self.kinds)
        self.bag.add_bytes(f"{uid}/{layout.ASSET_JSON}", json.dumps(record, cls=DjangoJSONEncoder, indent=2,
                                                                   ensure_ascii=False).encode())
        self.counts["assets"] += 1

    def renditions(self, folder: str, version: AssetVersion, renditions: list[Rendition], record: dict[str, Any],
                   created: str | None) -> list[dict[str, Any]]:
        made = []
        for rendition in renditions:
            name = f"{layout.safe_name(rendition.preset, 'rendition')}{_EXTENSIONS.get(rendition.mime_type, '.bin')}"
            path = f"{folder}/renditions/{name}"
            try:
                self.place(rendition.file.name, path, rendition.size)
            except FileNotFoundError:  # a derivative lost from the store is made again later; the original counts
                continue
            self.bag.add_bytes(f"{path}{layout.SIDECAR}", layout.xmp_sidecar(
                record, mime_type=rendition.mime_type, source=f"{rendition.preset} of {version.original_filename}",
                created=created))
            made.append({"preset": rendition.preset, "path": path, "mime_type": rendition.mime_type,
                         "width": rendition.width, "height": rendition.height, "size": rendition.size})
        return made


def write_bag(out: IO[bytes], name: str, assets: Iterable[Asset], *, user: User | None, identifier: str,
              description: str, progress: Callable[[int], None] = lambda done: None) -> dict[str, str]:
    """Write the assets as a zipped bag with SHA-256 manifests into `out`, under the folder `name`; return the
    bag-info fields (with Payload-Oxum and the DAM's counts)."""
    with ZippedBag(out, name) as bag:
        writer = _Writer(bag, user)
        uids = []
        batch: list[Asset] = []
        for asset in [*assets, None]:
            if asset is not None:
                batch.append(asset)
                uids.append(str(asset.uid))
            if batch and (asset is None or len(batch) == CHUNK):
                writer.chunk(batch)
                batch = []
                progress(writer.counts["assets"])
        counts = writer.counts
        now = timezone.now()
        bag.add_bytes(layout.BAG_JSON, json.dumps({
            "format": layout.FORMAT, "source": settings.DAM_BASE_URL, "identifier": identifier,
            "description": description, "exported_at": now.isoformat(), "exported_by": _name(user) or "system",
            "history": selectors.may_take_history(user), "assets": uids, "counts": counts,
        }, indent=2, ensure_ascii=False).encode())
        return bag.finish({
            "Source-Organization": settings.DAM_BASE_URL, "External-Identifier": identifier,
            "External-Description": description[:500], "Bagging-Date": now.date().isoformat(),
            "Bagging-Time": now.isoformat(), "Contact-Name": _name(user) or "system",
            "DAM-Format": layout.FORMAT, "DAM-Asset-Count": str(counts["assets"]),
            "DAM-Version-Count": str(counts["versions"]), "DAM-Rendition-Count": str(counts["renditions"]),
        })
