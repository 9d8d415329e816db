"""What the uploader says once for every file of a batch: a title pattern, a description, terms, rights, the
campaign and the schema's fields ("describe at upload").

They are checked when the batch is opened (`batch_fields_clean`), kept on the batch (IngestBatch.fields),
and applied to each file it creates (`title_for`, `describe_created`), so a batch of 17 photos arrives
described instead of needing 17 edit pages.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError

from accounts.models import User
from assets import services as asset_services
from assets import tagging
from assets.models import Asset, AssetTerm, LicenceType
from taxonomy.models import MetadataField
from taxonomy.schema import clean_value, fields_for

# Plain fields that go to asset_create as they are (an embedded value only fills one left empty here).
TEXT_FIELDS = ("description", "campaign", "rights_holder", "usage_terms")
PATTERN_HELP = "Use {n} for the file's number in the batch and {name} for its file name."
# Kept beside the description: how many titles the pattern has numbered so far (ingest.services._next_number).
NUMBERED = "numbered"


def batch_fields_clean(data: dict[str, Any]) -> dict[str, Any]:
    """The batch's fields in the form they are kept in, or ValidationError naming each wrong one."""
    fields: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    pattern = str(data.get("title_pattern") or "").strip()
    if pattern:
        try:
            title_for(pattern, "sample.jpg", 1, many=True)
        except (KeyError, IndexError, ValueError):
            errors["title_pattern"] = [f"Only {{n}} and {{name}} may be used in braces. {PATTERN_HELP}"]
        fields["title_pattern"] = pattern[:300]
    for name in TEXT_FIELDS:
        value = str(data.get(name) or "").strip()
        if value:
            fields[name] = value[:200] if name in ("campaign", "rights_holder") else value
    licence = str(data.get("licence") or "").strip()
    if licence:
        match = LicenceType.objects.filter(active=True, name__iexact=licence).first()
        if match is None:
            errors["licence"] = [f"“{licence}” is not in the list of licences."]
        else:
            fields["licence"] = match.name
    terms = [t for t in data.get("terms") or [] if str(t).strip()]
    if terms:
        try:
            fields["terms"] = [t.pk for t in tagging.resolve_terms(terms)]
        except ValidationError as exc:
            errors["terms"] = exc.message_dict.get("terms", exc.messages)
    metadata = {}
    known = {f.key: f for f in MetadataField.objects.filter(key__in=list(data.get("metadata") or {}))}
    for key, value in (data.get("metadata") or {}).items():
        if key not in known:
            errors.setdefault("metadata", []).append(f"There is no field “{key}”.")
            continue
        try:
            cleaned = clean_value(known[key], value)
        except ValidationError as exc:
            errors[f"metadata.{key}"] = exc.messages
            continue
        if cleaned is not None:
            metadata[key] = cleaned
    if metadata:
        fields["metadata"] = metadata
    if errors:
        raise ValidationError(errors)
    return fields


def title_for(pattern: str, filename: str, number: int, *, many: bool) -> str:
    """The title from the batch's pattern: "Summer shoot {n}" → "Summer shoot 3". A pattern without {n} or
    {name} gets the number appended when a batch has many files, so their titles differ."""
    stem = Path(filename).stem
    title = pattern.replace("{n}", str(number)).replace("{name}", stem)
    if "{" in title or "}" in title:
        raise ValueError("unknown placeholder")
    if many and "{n}" not in pattern and "{name}" not in pattern:
        title = f"{title} {number}"
    return title.strip()[:300]


def fields_for_file(batch_fields: dict[str, Any]) -> dict[str, Any]:
    """The batch's fields that asset_ingest takes as they are (the title, terms and schema come after)."""
    return {k: v for k, v in batch_fields.items() if k in (*TEXT_FIELDS, "licence")}


def describe_created(asset: Asset, batch_fields: dict[str, Any], actor: User | None) -> str:
    """Give a new asset the batch's terms and schema values (those its type and folder have); returns what
    could not be applied, as a sentence for its batch item, or ""."""
    changes: dict[str, Any] = {}
    if batch_fields.get("terms"):
        human = list(AssetTerm.objects.filter(asset=asset, source=AssetTerm.Source.HUMAN)
                     .values_list("term_id", flat=True))
        changes["terms"] = list(dict.fromkeys([*human, *batch_fields["terms"]]))
    wanted = batch_fields.get("metadata") or {}
    applicable = {f.key for f in fields_for(asset.asset_type, asset.collection)}
    if any(key in applicable for key in wanted):
        changes["metadata"] = {**(asset.metadata or {}), **{k: v for k, v in wanted.items() if k in applicable}}
    if not changes:
        return ""
    try:
        asset_services.asset_update(asset=asset, actor=actor, changes=changes)
    except ValidationError as exc:
        return f"The batch's description could not be applied: {' '.join(exc.messages)}"
    return ""
