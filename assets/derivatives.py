"""Derivatives made from a recipe: a download preset's size, fit, format and metadata, and a watermark.

The recipe (a `Spec`) travels on the Rendition row as JSON, so the job that makes it, the
watchdog that runs it again and the sweep that remakes a lost file need nothing but the
row. The original is decoded once at the smallest size that still covers the result
(JPEG's shrink-on-load), turned upright and converted to sRGB as the standard renditions
are; then fitted or cropped (around the asset's focal point), watermarked, and encoded.
"""
from __future__ import annotations

import hashlib
import json
import math
import uuid
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import pyvips
from django.core.files.storage import default_storage
from PIL import Image

from assets.embedding import WRITABLE, Rights, rights_in_bytes
from assets.formats import RENDITION_QUALITY, RENDITION_SIZES, can_render
from assets.location import CLEANABLE as KEEPS_METADATA_TYPES
from assets.location import without_location
from assets.models import AssetVersion, Rendition
from assets.renditions import (
    VIPS_LOADERS,
    Made,
    RenditionFailed,
    _failures_recorded,
    decode,
    decode_vips,
    local_copy,
    save_atomically,
)

FORMATS = {"jpeg": ("image/jpeg", "jpg"), "png": ("image/png", "png"), "webp": ("image/webp", "webp"),
           "avif": ("image/avif", "avif")}
FITS = ("contain", "cover")
PROFILES = ("srgb", "none")
POSITIONS = ("center", "top-left", "top-right", "bottom-left", "bottom-right")
# Formats that can hold transparency: a PNG logo stays transparent in a PNG, WebP or AVIF derivative.
WITH_ALPHA = ("png", "webp", "avif")
# What a decode may cost when the recipe has no size: the original's full size, up to the pixel limit.
FULL_SIZE = 1_000_000


@dataclass(frozen=True)
class WatermarkSpec:
    kind: str  # "image" or "text"
    position: str = "bottom-right"
    scale: int = 25  # per cent of the picture's width
    opacity: int = 50  # per cent
    image: str = ""  # a PNG in the file store
    text: str = ""  # already filled in (recipient, link title)


@dataclass(frozen=True)
class Spec:
    format: str = "jpeg"
    max_width: int | None = None
    max_height: int | None = None
    fit: str = "contain"
    quality: int = 85
    profile: str = "srgb"
    strip_metadata: bool = True
    focal: tuple[float, float] | None = None
    watermark: WatermarkSpec | None = field(default=None)
    # The asset's rights to write into the file (assets.embedding.Rights.as_pairs); None: none written. Part of
    # the recipe, so a rights edit is a new variant: a new file, and a new ETag on delivery URLs.
    rights: tuple[tuple[str, str], ...] | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Spec:
        data = dict(data)
        mark = data.pop("watermark", None)
        focal = data.pop("focal", None)
        rights = data.pop("rights", None)
        return cls(**data, focal=tuple(focal) if focal else None,  # type: ignore[arg-type]
                   watermark=WatermarkSpec(**mark) if mark else None,
                   rights=tuple((str(k), str(v)) for k, v in rights) if rights else None)

    @property
    def without_rights(self) -> Spec:
        return replace(self, rights=None)

    @property
    def variant(self) -> str:
        """The recipe's digest: the same recipe is the same derivative, a changed one a new derivative."""
        return hashlib.sha256(json.dumps(self.as_json(), sort_keys=True).encode()).hexdigest()[:32]

    @property
    def mime_type(self) -> str:
        return FORMATS[self.format][0]

    @property
    def extension(self) -> str:
        return FORMATS[self.format][1]


def decode_box(version: AssetVersion, spec: Spec) -> int:
    """The long side to decode at: the smallest that still covers the result (from the upright size)."""
    width, height = version.width, version.height
    wanted = [size for size in (spec.max_width, spec.max_height) if size]
    if not wanted:
        return FULL_SIZE
    if not width or not height:
        return max(wanted) * 4  # an unknown shape: enough for any reasonable aspect ratio
    scales = [spec.max_width / width if spec.max_width else None, spec.max_height / height if spec.max_height else None]
    known = [s for s in scales if s is not None]
    scale = max(known) if spec.fit == "cover" else min(known)
    return max(1, math.ceil(max(width, height) * min(scale, 1.0)))


def standard_recipe(spec: Spec) -> str | None:
    """The standard rendition (made at upload, without metadata) that is exactly this recipe, if any."""
    for name in ("web", "thumb"):
        size = RENDITION_SIZES[name]
        if spec == Spec(format="jpeg", max_width=size, max_height=size, fit="contain",
                        quality=RENDITION_QUALITY[name], profile="none", strip_metadata=True):
            return name
    return None


def render_spec(version: AssetVersion, spec: Spec, preset: str) -> Made:
    """Make and store one derivative of the version; RenditionFailed with the reason when it cannot be made."""
    if not can_render(version.mime_type):
        raise RenditionFailed("No picture can be made from this file type.")
    standard = standard_recipe(spec.without_rights) if spec.rights else None
    if standard:
        return _standard_with_rights(version, spec, standard, preset)
    box = decode_box(version, spec)
    with _failures_recorded():
        if version.mime_type in VIPS_LOADERS:
            picture = decode_vips(version, box, flatten=spec.format not in WITH_ALPHA)
        else:
            picture = _from_pillow(decode(version, box))
        picture = shaped(picture, spec)
        if spec.watermark is not None:
            picture = watermarked(picture, spec.watermark)
        data = encoded(picture, spec)
        if not spec.strip_metadata:
            data = with_metadata(version, data, spec)
        data = with_rights(data, spec)
    key = uuid.uuid4().hex
    name = save_atomically(f"renditions/{key[:2]}/{key}-{preset[:40]}.{spec.extension}", data)
    return Made(name=name, mime_type=spec.mime_type, width=picture.width, height=picture.height, size=len(data))


def with_rights(data: bytes, spec: Spec) -> bytes:
    """The encoded derivative with the asset's rights written (assets.embedding), when the recipe has them."""
    if not spec.rights or spec.mime_type not in WRITABLE:
        return data
    try:
        return rights_in_bytes(data, Rights.from_pairs(spec.rights))
    except RuntimeError as exc:
        raise RenditionFailed(f"The rights could not be written into the file: {exc}") from exc


def _standard_with_rights(version: AssetVersion, spec: Spec, standard: str, preset: str) -> Made:
    """The standard rendition's bytes (already made at upload) with the rights written: no decode, a few ms."""
    row = Rendition.objects.filter(version=version, preset=standard, variant="",
                                   status=Rendition.Status.READY).exclude(file="").first()
    if row is None:
        raise RenditionFailed(f"The {standard} rendition this is made from is not ready yet.")
    with default_storage.open(row.file.name, "rb") as fh:
        data = with_rights(fh.read(), spec)
    key = uuid.uuid4().hex
    name = save_atomically(f"renditions/{key[:2]}/{key}-{preset[:40]}.{spec.extension}", data)
    return Made(name=name, mime_type=spec.mime_type, width=row.width or 0, height=row.height or 0, size=len(data))


def _from_pillow(image: Image.Image) -> pyvips.Image:
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    return pyvips.Image.new_from_memory(rgb.tobytes(), rgb.width, rgb.height, 3, "uchar")


def shaped(picture: pyvips.Image, spec: Spec) -> pyvips.Image:
    """Fitted inside the box (contain) or filling it, cropped around the focal point (cover); never enlarged."""
    width, height = picture.width, picture.height
    if spec.fit == "cover" and spec.max_width and spec.max_height:
        scale = max(spec.max_width / width, spec.max_height / height)
        if scale < 1:
            picture = picture.resize(scale)
        # Smaller than the box: the largest piece of the box's shape that it holds.
        aspect = spec.max_width / spec.max_height
        crop_w, crop_h = min(spec.max_width, picture.width), min(spec.max_height, picture.height)
        if crop_w / crop_h > aspect:
            crop_w = max(1, round(crop_h * aspect))
        else:
            crop_h = max(1, round(crop_w / aspect))
        fx, fy = spec.focal or (0.5, 0.5)
        left = min(max(round(fx * picture.width - crop_w / 2), 0), picture.width - crop_w)
        top = min(max(round(fy * picture.height - crop_h / 2), 0), picture.height - crop_h)
        return picture.crop(left, top, crop_w, crop_h)
    scales = [s for s in (spec.max_width and spec.max_width / width, spec.max_height and spec.max_height / height)
              if s]
    if scales and min(scales) < 1:
        picture = picture.resize(min(scales))
    return picture


def watermarked(picture: pyvips.Image, mark: WatermarkSpec) -> pyvips.Image:
    """The picture with the watermark laid over it at its position, scale and opacity."""
    target = max(1, round(picture.width * mark.scale / 100))
    overlay = _text_overlay(mark.text, target) if mark.kind == "text" else _image_overlay(mark.image, target)
    if overlay.width > picture.width or overlay.height > picture.height:
        overlay = overlay.resize(min(picture.width / overlay.width, picture.height / overlay.height))
    alpha = overlay[3] * (mark.opacity / 100)
    overlay = overlay[:3].bandjoin(alpha).cast("uchar").copy(interpretation="srgb")
    margin = round(min(picture.width, picture.height) * 0.03)
    x = {"left": margin, "right": picture.width - overlay.width - margin}.get(
        mark.position.partition("-")[2], (picture.width - overlay.width) // 2)
    y = {"top": margin, "bottom": picture.height - overlay.height - margin}.get(
        mark.position.partition("-")[0], (picture.height - overlay.height) // 2)
    had_alpha = picture.hasalpha()
    base = (picture if had_alpha else picture.bandjoin(255)).copy(interpretation="srgb")
    out = base.composite2(overlay, "over", x=max(x, 0), y=max(y, 0))
    out = out.cast("uchar")
    return out if had_alpha else out[:3]


def _text_overlay(text: str, width: int) -> pyvips.Image:
    """White text with a dark shadow, `width` pixels wide, as RGBA."""
    mask = pyvips.Image.text(text or " ", font="sans bold", dpi=72)
    dpi = max(8, min(round(72 * width / max(mask.width, 1)), 4000))
    mask = pyvips.Image.text(text or " ", font="sans bold", dpi=dpi)
    pad = max(2, mask.height // 12)
    mask = mask.embed(pad, pad, mask.width + 2 * pad, mask.height + 2 * pad)
    shadow = mask.gaussblur(max(pad / 2, 0.5))
    alpha = (mask | shadow)
    # White where the letters are, black where only the shadow is.
    colour = (mask > 0).ifthenelse([255, 255, 255], [0, 0, 0])
    return colour.bandjoin(alpha).cast("uchar")


def _image_overlay(name: str, width: int) -> pyvips.Image:
    with default_storage.open(name, "rb") as fh:
        data = fh.read()
    image = pyvips.Image.new_from_buffer(data, "", access="sequential")
    if image.interpretation != "srgb":
        image = image.colourspace("srgb")
    if not image.hasalpha():
        image = image.bandjoin(255)
    image = image.cast("uchar")
    return image.resize(width / image.width) if image.width != width else image


def encoded(picture: pyvips.Image, spec: Spec) -> bytes:
    """The encoded bytes; metadata is added afterwards (with_metadata), so none comes from the decode."""
    # An sRGB profile embedded makes print and colour-managed viewers agree; untagged sRGB is smaller.
    profile = {"profile": "srgb", "keep": "icc"} if spec.profile == "srgb" else {"keep": "none"}
    if spec.format == "jpeg":
        if picture.hasalpha():
            picture = picture.flatten(background=[255, 255, 255])
        return picture.jpegsave_buffer(Q=spec.quality, interlace=True, optimize_coding=True, **profile)
    if spec.format == "png":
        return picture.pngsave_buffer(compression=6, **profile)
    if spec.format == "webp":
        return picture.webpsave_buffer(Q=spec.quality, **profile)
    # AVIF: libvips's heifsave with the AV1 encoder; effort 3 of 9 keeps a 2048 px encode to about a second.
    return picture.heifsave_buffer(Q=spec.quality, compression="av1", effort=3, **profile)


def with_metadata(version: AssetVersion, data: bytes, spec: Spec) -> bytes:
    """The derivative with the original's descriptive metadata (credit, copyright, captions, keywords), never
    its location, and upright (orientation 1). Formats libexiv2 cannot write stay without it."""
    if spec.mime_type not in KEEPS_METADATA_TYPES or version.mime_type not in KEEPS_METADATA_TYPES:
        return data
    import pyexiv2

    try:
        with local_copy(version) as path:  # read where it lies: an original may be hundreds of megabytes
            source = pyexiv2.Image(path)
            try:
                exif = {k: v for k, v in source.read_exif().items()
                        if not k.startswith(("Exif.Thumbnail", "Exif.Photo.PixelX", "Exif.Photo.PixelY"))}
                iptc, xmp = source.read_iptc(), source.read_xmp()
            finally:
                source.close()
    except RuntimeError:
        return data  # metadata libexiv2 cannot read: the derivative goes without, as if stripped
    exif["Exif.Image.Orientation"] = "1"
    target = pyexiv2.ImageData(data)
    try:
        for write, values in ((target.modify_exif, exif), (target.modify_iptc, iptc), (target.modify_xmp, xmp)):
            if values:
                try:
                    write(values)
                except (RuntimeError, ValueError, TypeError):
                    continue  # a field libexiv2 will not write into this format: left out
        data = target.get_bytes()
    finally:
        target.close()
    return without_location(data)
