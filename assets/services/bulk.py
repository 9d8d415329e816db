"""Editing many assets at once (the bulk editor, automation rules): terms, folder, description, campaign, rights
and schema fields, all or none."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import tagging
from assets.models import Asset, AssetTerm, Collection
from assets.services.assets import _check_rights, _jsonable
from taxonomy import schema

# The asset's own fields the bulk editor sets or clears; what a cleared one becomes.
BULK_FIELDS: dict[str, Any] = {
    "description": "", "campaign": "", "licence": "", "rights_holder": "", "credit_line": "", "usage_terms": "",
    "channels": [], "regions": [], "rights_start": None, "rights_expire_at": None, "embargo_until": None,
}


class BulkRefused(ValidationError):
    """Some assets of a batch could not take the change; nothing of the batch was written.

    `refusals` pairs each such asset with the reason, so a screen can link to it."""

    def __init__(self, refusals: list[tuple[Asset, str]]):
        self.refusals = refusals
        super().__init__([f"“{asset.title}”: {reason}" for asset, reason in refusals])


def _appended(description: str, addition: str) -> str:
    return f"{description.rstrip()}\n\n{addition}" if description.strip() else addition


@transaction.atomic
def assets_bulk_update(*, assets: Iterable[Asset], actor: User | None, add_terms: Iterable[Any] = (),
                       remove_terms: Iterable[Any] = (), collection: Collection | None = None,
                       metadata: dict[str, Any] | None = None, fields: Mapping[str, Any] | None = None,
                       append_description: str = "") -> int:
    """Add or remove terms, move to a folder, set or clear fields (`fields`: name -> value, empty clears; see
    BULK_FIELDS), append to the description and set schema fields on many assets: all or none.

    An asset that cannot take the change (a date that would fall after its expiry, a value the schema
    refuses) is listed in BulkRefused and nothing is written. Every asset's history gets one event carrying
    the same batch id, so the action reads as one. Returns how many assets changed.
    """
    assets = list(assets)
    fields = dict(fields or {})
    unknown = set(fields) - set(BULK_FIELDS)
    if unknown:
        raise ValidationError({name: "This field cannot be edited in bulk." for name in sorted(unknown)})
    fields = {name: BULK_FIELDS[name] if value in (None, "", []) else value for name, value in fields.items()}
    if actor is not None:
        for asset in assets:
            authority.require(actor, "edit", asset)
        if collection is not None:
            authority.require(actor, "contribute", collection)
    added, removed = tagging.resolve_terms(list(add_terms)), list(remove_terms)
    batch = uuid.uuid4().hex[:12]
    refusals: list[tuple[Asset, str]] = []
    changed = 0
    locked = Asset.objects.select_for_update().filter(pk__in=[a.pk for a in assets]).select_related("collection")
    for asset in locked.order_by("title", "pk"):
        diff: dict[str, Any] = {}
        for term in added:
            link, made = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={"added_by": actor})
            if made or link.source != AssetTerm.Source.HUMAN:
                AssetTerm.objects.filter(pk=link.pk).update(source=AssetTerm.Source.HUMAN, confidence=None)
                diff.setdefault("terms_added", []).append(term.uri)
        if removed and AssetTerm.objects.filter(asset=asset, term__in=removed).delete()[0]:
            diff["terms_removed"] = sorted(t.uri for t in removed)
        if collection is not None and collection.pk != asset.collection_id:
            diff["collection"] = [_jsonable(asset.collection), _jsonable(collection)]
            asset.collection = collection
        changes = dict(fields)
        if append_description:
            changes["description"] = _appended(changes.get("description", asset.description), append_description)
        try:
            # The same rules as one asset's edit: the licence from the list, rights dates in order.
            _check_rights(changes, asset)
            for name, value in changes.items():
                if getattr(asset, name) != value:
                    diff[name] = [_jsonable(getattr(asset, name)), _jsonable(value)]
                    setattr(asset, name, value)
            if metadata:
                new = schema.clean_metadata({**(asset.metadata or {}), **metadata}, asset_type=asset.asset_type,
                                            collection=asset.collection)
                new = {k: v for k, v in new.items() if not schema.is_empty(v)}
                if new != asset.metadata:
                    diff["metadata"] = [asset.metadata, new]
                    asset.metadata = new
            asset.clean_fields(exclude=[f.name for f in Asset._meta.fields if f.name not in changes])
        except ValidationError as exc:
            refusals.append((asset, " ".join(exc.messages)))
            continue
        if diff:
            asset.revision += 1
            asset.updated_by = actor
            saved = [name for name in diff if name in BULK_FIELDS or name in ("collection", "metadata")]
            asset.save(update_fields=[*saved, "revision", "updated_by", "updated_at"])
            audit.record("assets.asset.bulk_updated", actor=actor, target=asset, batch=batch, changes=diff)
            changed += 1
    if refusals:
        raise BulkRefused(refusals)
    return changed
