"""Download presets and watermarks: admins define them; every check of a value lives here."""
from __future__ import annotations

import io
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.text import slugify
from PIL import Image

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from distribution.models import Preset, Watermark

PRESET_FIELDS = ("label", "description", "max_width", "max_height", "fit", "format", "quality", "color_profile",
                 "metadata", "watermark", "restricted", "position")
WATERMARK_FIELDS = ("kind", "text", "position", "scale", "opacity")
MAX_SIDE = 20000
WATERMARK_MAX_BYTES = 2 * 1024 * 1024
WATERMARK_MAX_SIDE = 4000


def preset_check(values: dict[str, Any]) -> None:
    """The errors of a preset's values, by field, as ValidationError."""
    errors: dict[str, str] = {}
    for side in ("max_width", "max_height"):
        size = values.get(side)
        if size is not None and not (isinstance(size, int) and 1 <= size <= MAX_SIDE):
            errors[side] = f"Give a whole number of pixels from 1 to {MAX_SIDE:,}, or leave it empty for full size."
    fmt = values.get("format")
    if fmt not in Preset.Format.values:
        errors["format"] = f"Choose one of: {', '.join(Preset.Format.values)}."
    if values.get("fit") not in Preset.Fit.values:
        errors["fit"] = "Choose contain (fit inside) or cover (fill and crop)."
    quality = values.get("quality")
    if not (isinstance(quality, int) and 1 <= quality <= 100):
        errors["quality"] = "Give a quality from 1 to 100."
    if values.get("metadata") not in Preset.Metadata.values:
        errors["metadata"] = "Choose rights (the asset's rights only), keep (the original's too) or strip (none)."
    if values.get("color_profile") not in Preset.Profile.values:
        errors["color_profile"] = "Choose srgb or none."
    if values.get("fit") == Preset.Fit.COVER and not (values.get("max_width") and values.get("max_height")):
        errors.setdefault("max_height", "Cropping to fill needs both a width and a height.")
    if fmt == Preset.Format.ORIGINAL:
        if values.get("watermark") is not None:
            errors["watermark"] = "The original file cannot carry a watermark; choose a format to convert to."
        if values.get("max_width") or values.get("max_height"):
            errors.setdefault("max_width", "The original file keeps its size; choose a format to resize.")
    if errors:
        raise ValidationError(errors)


def _values(preset: Preset) -> dict[str, Any]:
    return {field: getattr(preset, field) for field in PRESET_FIELDS}


@transaction.atomic
def preset_create(*, actor: User | None, name: str, **values: Any) -> Preset:
    """A new download preset; open to everyone who may download an asset unless restricted."""
    if actor is not None:
        authority.require(actor, "create", Preset)
    name = slugify(name)[:50]
    if not name:
        raise ValidationError({"name": "Give a name made of letters, digits and hyphens."})
    if Preset.objects.filter(name=name).exists():
        raise ValidationError({"name": f"A preset named “{name}” exists already."})
    preset = Preset(name=name, label=values.pop("label", "") or name.replace("-", " ").capitalize())
    for field, value in values.items():
        setattr(preset, field, value)
    preset_check(_values(preset))
    preset.save()
    audit.record("distribution.preset.created", actor=actor, target=preset, **_audit_values(preset))
    return preset


@transaction.atomic
def preset_update(*, preset: Preset, actor: User | None, **values: Any) -> Preset:
    """Change a preset; its next downloads are made to the new recipe (the old files are not reused)."""
    if actor is not None:
        authority.require(actor, "change", preset)
    unknown = set(values) - set(PRESET_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This cannot be changed."})
    for field, value in values.items():
        setattr(preset, field, value)
    preset_check(_values(preset))
    preset.save(update_fields=[*values, "updated_at"])
    audit.record("distribution.preset.changed", actor=actor, target=preset, **_audit_values(preset))
    return preset


@transaction.atomic
def preset_delete(*, preset: Preset, actor: User | None) -> None:
    if actor is not None:
        authority.require(actor, "delete", preset)
    if preset.builtin:
        raise ValidationError({"name": "Built-in presets can be changed but not deleted."})
    audit.record("distribution.preset.deleted", actor=actor, target=preset, name=preset.name)
    preset.delete()


def _audit_values(preset: Preset) -> dict[str, Any]:
    values = _values(preset)
    values["watermark"] = preset.watermark.name if preset.watermark else None
    return values


def watermark_image_check(upload: UploadedFile) -> None:
    """A watermark image must be a PNG (for its transparency), at most 2 MB and 4,000 px a side."""
    if upload.size is not None and upload.size > WATERMARK_MAX_BYTES:
        raise ValidationError({"image": "The watermark is larger than 2 MB; use a smaller PNG."})
    head = upload.read(8)
    upload.seek(0)
    if head != b"\x89PNG\r\n\x1a\n":
        raise ValidationError({"image": "The watermark must be a PNG (with transparency where it should not "
                                        "cover the picture)."})
    try:
        with Image.open(io.BytesIO(upload.read())) as image:
            image.verify()
            width, height = image.size
    except Exception as exc:
        raise ValidationError({"image": "This PNG cannot be read; it may be damaged."}) from exc
    finally:
        upload.seek(0)
    if max(width, height) > WATERMARK_MAX_SIDE:
        raise ValidationError({"image": f"The watermark is {width} x {height} px; at most "
                                        f"{WATERMARK_MAX_SIDE:,} px a side."})


def _watermark_check(mark: Watermark, *, has_image: bool) -> None:
    errors: dict[str, str] = {}
    if mark.kind not in Watermark.Kind.values:
        errors["kind"] = "Choose image or text."
    elif mark.kind == Watermark.Kind.TEXT and not mark.text.strip():
        errors["text"] = "Give the text to lay over the picture."
    elif mark.kind == Watermark.Kind.IMAGE and not has_image:
        errors["image"] = "Upload a PNG."
    if mark.position not in Watermark.Position.values:
        errors["position"] = f"Choose one of: {', '.join(Watermark.Position.values)}."
    for field in ("scale", "opacity"):
        value = getattr(mark, field)
        if not (isinstance(value, int) and 1 <= value <= 100):
            errors[field] = "Give a percentage from 1 to 100."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def watermark_save(*, actor: User | None, watermark: Watermark | None = None, name: str | None = None,
                   image: UploadedFile | None = None, **values: Any) -> Watermark:
    """Create a watermark (no `watermark`) or change one; a new image replaces the old file."""
    if actor is not None:
        authority.require(actor, "change" if watermark else "create", watermark or Watermark)
    mark = watermark or Watermark()
    if name is not None:
        name = name.strip()[:100]
        if not name:
            raise ValidationError({"name": "Give the watermark a name."})
        if Watermark.objects.filter(name=name).exclude(pk=mark.pk).exists():
            raise ValidationError({"name": f"A watermark named “{name}” exists already."})
        mark.name = name
    elif not mark.name:
        raise ValidationError({"name": "Give the watermark a name."})
    for field, value in values.items():
        if field not in WATERMARK_FIELDS:
            raise ValidationError({field: "This cannot be changed."})
        setattr(mark, field, value)
    if image is not None:
        watermark_image_check(image)
    _watermark_check(mark, has_image=image is not None or bool(mark.image))
    old_image = mark.image.name if mark.image else ""
    created = mark.pk is None
    if image is not None:
        mark.image.save(f"{slugify(mark.name) or 'watermark'}.png", image, save=False)
        # The new file goes if the row does not commit; the old one once it has.
        transaction.on_commit(lambda: _remove_file(old_image))
    try:
        with transaction.atomic():
            mark.save()
    except Exception:
        if image is not None:
            _remove_file(mark.image.name)
        raise
    audit.record("distribution.watermark.created" if created else "distribution.watermark.changed", actor=actor,
                 target=mark, kind=mark.kind, text=mark.text, position=mark.position, scale=mark.scale,
                 opacity=mark.opacity)
    return mark


def _remove_file(name: str) -> None:
    from django.core.files.storage import default_storage

    if name:
        default_storage.delete(name)


@transaction.atomic
def watermark_delete(*, watermark: Watermark, actor: User | None) -> None:
    if actor is not None:
        authority.require(actor, "delete", watermark)
    using = list(watermark.presets.values_list("label", flat=True))
    if using:
        raise ValidationError({"watermark": f"Presets use this watermark: {', '.join(using)}. Choose another "
                                            "for them first."})
    name = watermark.image.name if watermark.image else ""
    audit.record("distribution.watermark.deleted", actor=actor, target=watermark, name=watermark.name)
    watermark.delete()
    transaction.on_commit(lambda: _remove_file(name))
