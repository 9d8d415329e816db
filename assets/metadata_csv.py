"""Asset metadata as CSV, for editing in a spreadsheet: export, edit, import; only changed fields are written.

Cells that a spreadsheet would run as formulas are neutralised on the way out and read back
unchanged (dam.spreadsheets).

Each row is applied through `services.asset_update` (its permission check, schema
validation, audit event) in its own transaction, so one bad row is reported
and does not stop the others.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from accounts import permissions as authority
from accounts.models import User
from assets import services
from assets.models import Asset, AssetTerm, Collection
from dam import spreadsheets
from taxonomy.models import MetadataField

SEPARATOR = "|"
TEXT = ["title", "description", "campaign", "licence", "rights_holder", "usage_terms"]
DATES = ["rights_expire_at", "embargo_until"]
META = "meta."


def _columns() -> list[str]:
    return ["uid", *TEXT, "channels", *DATES, "collection", "terms",
            *(META + key for key in MetadataField.objects.values_list("key", flat=True))]


def _human_terms(asset: Asset) -> list[str]:
    return sorted(link.term.uri for link in asset.term_links.all() if link.source == AssetTerm.Source.HUMAN)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def export(assets: QuerySet[Asset] | Iterable[Asset]) -> str:
    """One row per asset, with its human-assigned terms and its schema fields."""
    columns = _columns()
    rows = []
    for asset in assets:
        row = {"uid": str(asset.uid), **{name: getattr(asset, name) for name in TEXT},
               "channels": SEPARATOR.join(asset.channels or []),
               **{name: getattr(asset, name).isoformat() if getattr(asset, name) else "" for name in DATES},
               "collection": asset.collection_id, "terms": SEPARATOR.join(_human_terms(asset))}
        for column in columns:
            if column.startswith(META):
                row[column] = _cell((asset.metadata or {}).get(column[len(META):]))
        rows.append(row)
    return spreadsheets.write(columns, rows)


@dataclass
class RowResult:
    line: int
    uid: str
    status: str  # "updated", "unchanged" or "error"
    changed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _date(text: str) -> Any:
    if not text.strip():
        return None
    value = parse_datetime(text.strip())
    if value is None:
        raise ValidationError(f"“{text}” is not a date and time (use 2026-12-31T18:00:00+00:00).")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _changes(asset: Asset, row: dict[str, str]) -> dict[str, Any]:
    """The fields whose value in the row differs from the asset's."""
    changes: dict[str, Any] = {}
    for name in TEXT:
        if name in row and row[name] != getattr(asset, name):
            changes[name] = row[name]
    if "channels" in row:
        channels = [c.strip() for c in row["channels"].split(SEPARATOR) if c.strip()]
        if channels != (asset.channels or []):
            changes["channels"] = channels
    for name in DATES:
        if name in row:
            value = _date(row[name])
            if value != getattr(asset, name):
                changes[name] = value
    if row.get("collection", "").strip() and row["collection"].strip() != str(asset.collection_id):
        collection = Collection.objects.filter(pk=row["collection"].strip()).first() if (
            row["collection"].strip().isdigit()) else None
        if collection is None:
            raise ValidationError(f"No collection {row['collection']!r}.")
        changes["collection"] = collection
    if "terms" in row:
        terms = sorted(t.strip() for t in row["terms"].split(SEPARATOR) if t.strip())
        if terms != _human_terms(asset):
            changes["terms"] = terms
    metadata = dict(asset.metadata or {})
    for column, text in row.items():
        if column and column.startswith(META):
            key = column[len(META):]
            if text.strip() != _cell(metadata.get(key)):
                metadata[key] = text.strip()
    if metadata != (asset.metadata or {}):
        changes["metadata"] = {k: v for k, v in metadata.items() if v != ""}
    return changes


def import_csv(*, text: str, actor: User | None) -> list[RowResult]:
    """Apply an edited export; returns one result per row (what changed, or why it could not)."""
    reader = spreadsheets.Reader(text)
    if not reader.fieldnames or "uid" not in reader.fieldnames:
        raise ValidationError("The CSV needs a header row with a 'uid' column (export one to start from).")
    results = []
    assets = Asset.objects.select_related("collection").prefetch_related("term_links__term")
    if actor is not None:
        assets = authority.visible(actor, assets)
    for line, row in enumerate(reader, start=2):
        uid = (row.get("uid") or "").strip()
        result = RowResult(line=line, uid=uid, status="unchanged")
        results.append(result)
        try:
            asset = assets.filter(uid=uid).first() if len(uid) == 36 else None
            if asset is None:
                raise ValidationError(f"No asset {uid!r} that you may see.")
            changes = _changes(asset, {k: v for k, v in row.items() if k is not None and v is not None})
            if changes:
                services.asset_update(asset=asset, actor=actor, changes=changes)
                result.status, result.changed = "updated", sorted(changes)
        except ValidationError as exc:
            result.status = "error"
            result.errors = [f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()] if hasattr(
                exc, "error_dict") else exc.messages
        except PermissionDenied:
            result.status, result.errors = "error", ["You may not edit this asset."]
    return results
