"""The metadata schema: which fields an asset carries, whether its values are valid, and editing the schema.

The rules live here, once; the edit form, the API and the submission check all call them.
An asset and a collection are taken as arguments (this app sits below the assets app and
imports nothing of it): a collection is read for its `pk` and `ancestor_ids`, an asset for
its `asset_type`, `collection` and `metadata`.
"""
from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from taxonomy.models import MetadataField, Term, Vocabulary

# Keys a schema field may not take because an asset has a built-in field of that name; the assets app,
# which owns the asset model, adds them when it starts (assets.apps).
reserved_keys: set[str] = set()


def fields_for(asset_type: str, collection: Any | None) -> list[MetadataField]:
    """The schema fields that apply to an asset of this type in this collection, in order."""
    applies: QuerySet[MetadataField] = MetadataField.objects.select_related("vocabulary")
    ids = [*collection.ancestor_ids, collection.pk] if collection is not None else []
    applies = applies.filter(Q(collections__isnull=True) | Q(collections__in=ids)).distinct()
    return [f for f in applies if not f.asset_types or asset_type in f.asset_types]


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_value(field: MetadataField, value: Any) -> Any:
    """The value in its stored form (JSON), or ValidationError saying what is wrong with it."""
    if is_empty(value):
        return None
    kind = MetadataField.Type
    if field.field_type in (kind.TEXT, kind.LONG_TEXT):
        text = str(value).strip()
        if field.field_type == kind.TEXT and len(text) > 500:
            raise ValidationError("At most 500 characters.")
        return text or None
    if field.field_type == kind.NUMBER:
        if isinstance(value, bool):
            raise ValidationError("Enter a number.")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError("Enter a number.") from None
        return int(number) if number.is_integer() else number
    if field.field_type == kind.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()[:10]
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError:
            raise ValidationError("Enter a date as YYYY-MM-DD.") from None
    if field.field_type == kind.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "on"):
            return True
        if text in ("false", "no", "0", "off"):
            return False
        raise ValidationError("Enter yes or no.")
    if field.field_type == kind.URL:
        URLValidator(schemes=["http", "https"])(str(value).strip())
        return str(value).strip()
    if field.field_type == kind.CHOICE:
        if str(value) not in [str(c) for c in field.choices]:
            raise ValidationError(f"Choose one of: {', '.join(str(c) for c in field.choices)}.")
        return str(value)
    if field.field_type == kind.TERM:
        terms = Term.objects.filter(vocabulary=field.vocabulary)
        ref = str(value).strip()
        term = terms.filter(pk=int(ref)).first() if ref.isdigit() else terms.filter(uri=ref).first()
        if term is None:
            raise ValidationError(f"Choose a term from “{field.vocabulary}”.")
        if term.is_deprecated:
            hint = f" Use “{term.replaced_by}” instead." if term.replaced_by else ""
            raise ValidationError(f"“{term}” is deprecated.{hint}")
        return term.uri
    raise ValidationError("Unknown field type.")


def clean_metadata(metadata: dict[str, Any], *, asset_type: str, collection: Any | None) -> dict[str, Any]:
    """Validate values against the schema; errors are keyed "metadata.<key>". Keys outside the schema are kept."""
    if not isinstance(metadata, dict):
        raise ValidationError({"metadata": "Give the metadata as an object of field: value."})
    cleaned = dict(metadata)
    errors: dict[str, list[str]] = {}
    for field in fields_for(asset_type, collection):
        if field.key not in metadata:
            continue
        try:
            value = clean_value(field, metadata[field.key])
        except ValidationError as exc:
            errors[f"metadata.{field.key}"] = exc.messages
            continue
        if value is None:
            cleaned.pop(field.key, None)
        else:
            cleaned[field.key] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def display_values(asset: Any) -> list[tuple[MetadataField, Any]]:
    """(field, value) for the asset page; a term field shows the term's label, not its URI."""
    fields = fields_for(asset.asset_type, asset.collection)
    metadata = asset.metadata or {}
    uris = [metadata.get(f.key) for f in fields if f.field_type == MetadataField.Type.TERM and metadata.get(f.key)]
    labels = dict(Term.objects.filter(uri__in=uris).values_list("uri", "label"))
    values = [(f, metadata.get(f.key)) for f in fields]
    return [(f, labels.get(str(v), v) if f.field_type == MetadataField.Type.TERM else v) for f, v in values]


def missing_fields(asset: Any) -> list[str]:
    """Labels of required schema fields this asset has no value for."""
    metadata = asset.metadata or {}
    return [f.label for f in fields_for(asset.asset_type, asset.collection)
            if f.required and is_empty(metadata.get(f.key))]


# --- editing the schema (librarians and admins) --------------------------------------

SCHEMA_ATTRS = ("key", "label", "field_type", "choices", "vocabulary", "required", "help_text", "asset_types", "order")


def _check_field(field: MetadataField) -> None:
    if field.field_type == MetadataField.Type.CHOICE and not field.choices:
        raise ValidationError({"choices": "A choice field needs its choices."})
    if field.field_type == MetadataField.Type.TERM and field.vocabulary is None:
        raise ValidationError({"vocabulary": "Say which vocabulary the terms come from."})
    if field.key in reserved_keys:
        raise ValidationError({"key": f"“{field.key}” is a built-in asset field; choose another key."})


@transaction.atomic
def metadata_field_save(*, field: MetadataField | None, data: dict[str, Any], actor: User | None) -> MetadataField:
    """Create (field=None) or change a schema field; `collections` limits it to those folders."""
    if actor is not None:
        authority.require(actor, "edit", Vocabulary)
    made = field is None
    field = field or MetadataField()
    old = {name: _plain(getattr(field, name)) for name in SCHEMA_ATTRS} if not made else {}
    for name in SCHEMA_ATTRS:
        if name in data:
            setattr(field, name, data[name])
    _check_field(field)
    field.full_clean(exclude=["collections"])
    field.save()
    if "collections" in data:
        field.collections.set(data["collections"])
    new = {name: _plain(getattr(field, name)) for name in SCHEMA_ATTRS}
    audit.record("assets.schema.field_created" if made else "assets.schema.field_updated", actor=actor,
                 target=field, key=field.key,
                 changes={k: [old.get(k), v] for k, v in new.items() if old.get(k) != v})
    return field


@transaction.atomic
def metadata_field_delete(*, field: MetadataField, actor: User | None) -> None:
    """Remove a field from the schema; values already in assets' metadata stay where they are."""
    if actor is not None:
        authority.require(actor, "edit", Vocabulary)
    audit.record("assets.schema.field_deleted", actor=actor, target=field, key=field.key)
    field.delete()


def _plain(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value
