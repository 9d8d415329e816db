"""Download presets applied to versions: which file answers a preset, making it, and who may have it.

A preset is a recipe (assets.derivatives.Spec); its derivative of a version is a Rendition row
keyed by (version, preset name, recipe digest), made once and reused. A recipe equal to a
standard rendition's (the built-in web and thumbnail presets) uses that rendition, made at
upload. Small derivatives are made in the request that first asks for one (a 48 px PNG costs
less than a round trip through the queue); larger ones by the rendition job, the request
answering 202 with Retry-After meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from accounts import permissions as authority
from assets import services as asset_services
from assets.derivatives import FORMATS, Spec, WatermarkSpec, standard_recipe
from assets.embedding import WRITABLE
from assets.formats import can_render
from assets.models import Asset, AssetVersion, Rendition
from assets.originals import original_storage
from assets.selectors import rendition_for
from distribution.embedding import rights_for
from distribution.models import Preset, Watermark

# Made in the request that asks for it when the result is at most this many pixels on its long side and
# the original is a still image no larger than SYNC_MAX_BYTES; everything else goes to the job worker.
SYNC_MAX_SIDE = 1200
SYNC_MAX_BYTES = 30 * 1024 * 1024
SYNC_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif", "image/tiff", "image/heic", "image/heif")
RETRY_AFTER = 5  # seconds: what a 202 tells the client to wait


class PresetUnavailable(Exception):
    """This preset cannot be had for this asset (wrong file type, failed); the message says why."""


@dataclass(frozen=True)
class Derivative:
    """What answers one preset of one version: the original, or a rendition row and its state."""

    preset: Preset
    version: AssetVersion
    rendition: Rendition | None  # None: the original

    @property
    def ready(self) -> bool:
        return self.rendition is None or (self.rendition.status == Rendition.Status.READY
                                          and bool(self.rendition.file))

    @property
    def failed(self) -> bool:
        return self.rendition is not None and self.rendition.status == Rendition.Status.FAILED

    @property
    def storage_name(self) -> str:
        return self.version.file.name if self.rendition is None else self.rendition.file.name

    @property
    def storage(self) -> Storage:
        """Where the file is: an original's tier (assets.originals), else the primary storage."""
        return original_storage(self.version) if self.rendition is None else default_storage

    def open(self) -> IO[bytes]:
        handle: Any = self.storage.open(self.storage_name, "rb")
        return handle

    @property
    def mime_type(self) -> str:
        return self.version.mime_type if self.rendition is None else self.rendition.mime_type


def presets_for(user: Any, asset: Asset | None = None) -> QuerySet[Preset]:
    """The presets the user may download an asset with (restricted ones need the right to edit it)."""
    presets = Preset.objects.select_related("watermark")
    if asset is not None and authority.can(user, "edit", asset):
        return presets
    return presets.filter(restricted=False)


def preset_named(user: Any, asset: Asset, name: str) -> Preset:
    """The preset of that name, if the user may use it on the asset; Preset.DoesNotExist otherwise."""
    return presets_for(user, asset).get(name=name)


def spec_for(preset: Preset, asset: Asset, *, watermark: Watermark | None = None, recipient: str = "",
             link_title: str = "") -> Spec:
    """The recipe for a preset on an asset: its focal point, and the watermark (the preset's or the one
    given, a share link's) with its text filled in for this recipient."""
    mark = watermark or preset.watermark
    focal = (asset.focal_x, asset.focal_y) if asset.focal_x is not None and asset.focal_y is not None else None
    return Spec(
        format=preset.format, max_width=preset.max_width, max_height=preset.max_height, fit=preset.fit,
        quality=preset.quality, profile=preset.color_profile,
        strip_metadata=preset.metadata != Preset.Metadata.KEEP,
        focal=focal if preset.fit == Preset.Fit.COVER else None,
        watermark=_watermark_spec(mark, recipient, link_title) if mark else None,
        # Only into formats libexiv2 writes (not AVIF): elsewhere a rights edit must not make a new file.
        rights=(rights_for(asset).as_pairs() if preset.metadata != Preset.Metadata.STRIP
                and FORMATS.get(preset.format, ("",))[0] in WRITABLE else None))


def _watermark_spec(mark: Watermark, recipient: str, link_title: str) -> WatermarkSpec:
    text = ""
    if mark.kind == Watermark.Kind.TEXT:
        # format_map with only these two names: a stray brace in the text stays as it is.
        text = mark.text.replace("{recipient}", recipient or "").replace("{link_title}", link_title or "").strip()
    return WatermarkSpec(kind=mark.kind, position=mark.position, scale=mark.scale, opacity=mark.opacity,
                         image=mark.image.name if mark.kind == Watermark.Kind.IMAGE else "", text=text)


def standard_rendition(spec: Spec) -> str | None:
    """The standard rendition (made at upload, without metadata) that is exactly this recipe, if any."""
    return standard_recipe(spec)


def derivative_for(version: AssetVersion, preset: Preset, *, watermark: Watermark | None = None,
                   recipient: str = "", link_title: str = "", make_now: bool = True) -> Derivative:
    """What answers the preset for this version, made now when small (`make_now`), else queued.

    Raises PresetUnavailable when nothing of that kind can be made from this file.
    """
    if preset.is_original and watermark is None:
        return Derivative(preset, version, None)
    if not can_render(version.mime_type) or not version.has_renditions:
        raise PresetUnavailable(f"{preset.label} is a picture, and none can be made from this kind of file "
                                f"({version.mime_type}); download the original instead.")
    asset = version.asset
    spec = spec_for(preset, asset, watermark=watermark, recipient=recipient, link_title=link_title)
    standard = standard_rendition(spec)
    if standard:
        row = rendition_for(version, standard)
        if row is None:
            raise PresetUnavailable(f"{preset.label} is not available for this file.")
        return Derivative(preset, version, row)
    # A standard rendition with the rights written: copied from it once it is made, in the request (no decode).
    base = standard_recipe(spec.without_rights) if spec.rights else None
    if base:
        source = rendition_for(version, base)
        if source is None:
            raise PresetUnavailable(f"{preset.label} is not available for this file.")
        if source.status != Rendition.Status.READY or not source.file:
            return Derivative(preset, version, source)  # being made (or failed): said as for the rendition
    row, created = _row(version, preset.name, spec)
    if row.status == Rendition.Status.FAILED:
        return Derivative(preset, version, row)
    if row.status != Rendition.Status.READY or not row.file:
        if base or (make_now and _small(version, spec)):  # a copy with the rights is cheap: always now
            row = asset_services.derivative_generate(rendition_id=row.pk) or row
        elif created:
            transaction.on_commit(lambda: asset_services.queue_renditions([version.pk]))
    return Derivative(preset, version, row)


def _row(version: AssetVersion, name: str, spec: Spec) -> tuple[Rendition, bool]:
    found = Rendition.objects.filter(version=version, preset=name, variant=spec.variant).first()
    if found is not None:  # the usual case, in one query (get_or_create adds a savepoint around it)
        return found, False
    try:
        with transaction.atomic():
            return Rendition.objects.get_or_create(version=version, preset=name, variant=spec.variant,
                                                   defaults={"spec": spec.as_json()})
    except IntegrityError:  # two first requests at once: the other made the row
        return Rendition.objects.get(version=version, preset=name, variant=spec.variant), False


def _small(version: AssetVersion, spec: Spec) -> bool:
    sides = [side for side in (spec.max_width, spec.max_height) if side]
    return (bool(sides) and max(sides) <= SYNC_MAX_SIDE and version.mime_type in SYNC_TYPES
            and (version.size or 0) <= SYNC_MAX_BYTES)


def estimated_size(version: AssetVersion, preset: Preset, made: dict[tuple[str, str], int] | None = None
                   ) -> int | None:
    """About how many bytes a preset's file of this version is: exact once made (`made`: the version's ready
    renditions' sizes by (preset, variant)), else estimated from the output's pixels and the original's
    compression."""
    if preset.is_original:
        return version.size
    if made:
        spec = spec_for(preset, version.asset)
        standard = standard_rendition(spec)
        exact = made.get((standard, "")) if standard else made.get((preset.name, spec.variant))
        # Not made yet, but the standard rendition it is copied from is: its size and a few KB of rights.
        base = standard_recipe(spec.without_rights) if not exact and spec.rights else None
        exact = exact or (made.get((base, "")) if base else None)
        if exact:
            return exact
    width, height = version.width, version.height
    if not width or not height:
        return None
    sides = [s for s in (preset.max_width and preset.max_width / width,
                         preset.max_height and preset.max_height / height) if s]
    scale = min(1.0, (max(sides) if preset.fit == Preset.Fit.COVER else min(sides)) if sides else 1.0)
    out_w, out_h = width * scale, height * scale
    if preset.fit == Preset.Fit.COVER and preset.max_width and preset.max_height:
        out_w, out_h = min(out_w, preset.max_width), min(out_h, preset.max_height)
    pixels = out_w * out_h
    # A JPEG at quality 85 costs about 0.25 bytes a pixel for a photograph; a JPEG original tells how busy
    # this picture is (a flat graphic compresses ten times better). WebP and AVIF are smaller, PNG larger.
    per_pixel = 0.25
    if version.mime_type == "image/jpeg" and version.size:
        per_pixel = min(max(version.size / (width * height), 0.03), 1.0)
    per_pixel *= (0.4 + 0.6 * preset.quality / 85) if preset.format != "png" else 1
    factor = {"jpeg": 1.0, "webp": 0.7, "avif": 0.5, "png": 6.0}[preset.format]
    return int(pixels * per_pixel * factor)


def is_made(version: AssetVersion, preset: Preset, made: dict[tuple[str, str], int]) -> bool:
    """Whether the preset's file of this version exists (its size is then exact)."""
    if preset.is_original:
        return True
    spec = spec_for(preset, version.asset)
    standard = standard_rendition(spec)
    return ((standard, "") if standard else (preset.name, spec.variant)) in made


def ready_sizes(version: AssetVersion) -> dict[tuple[str, str], int]:
    """The sizes of the version's ready renditions by (preset, variant), in one query."""
    return {(preset, variant): size for preset, variant, size in version.renditions.filter(
        status=Rendition.Status.READY).values_list("preset", "variant", "size") if size}


def extension_for(preset: Preset, version: AssetVersion) -> str:
    if preset.is_original:
        return (version.original_filename.rsplit(".", 1)[-1] if "." in version.original_filename else "bin").lower()
    return {"jpeg": "jpg"}.get(preset.format, preset.format)
