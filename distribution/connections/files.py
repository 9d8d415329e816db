"""Turning a preset's derivative into a file the target accepts: kept as it is when the target takes it,
otherwise converted to JPEG (sRGB, transparency filled with white) and made smaller until it fits.

The type is read from the bytes, never from the name (the target judges by the bytes too), and the name
the file goes under ends in the extension of what it now is. What was changed is said in sentences in
the Upload's `notes`, so the usage can record what was actually sent.
"""
from __future__ import annotations

import io
import math
from pathlib import PurePosixPath

import magic
import pyvips
from django.conf import settings

from assets.derivatives import Spec, _from_pillow, encoded
from assets.formats import RAW_MIME_TYPES, raw_type
from assets.renditions import DECODE_ERRORS, RenditionFailed, _decode_raster, _decode_raw, _vips_srgb
from distribution.connections.clients import Problem, Upload
from ingest.files import SNIFF_BYTES

MB = 1024 * 1024
# The extension a file of each type goes under (the first one; the others are kept when the name has them).
EXTENSIONS = {"image/jpeg": (".jpg", ".jpeg"), "image/png": (".png",), "image/gif": (".gif",),
              "image/webp": (".webp",), "video/mp4": (".mp4",)}
# Names libmagic gives some types besides the standard one.
SAME_TYPE = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-ms-bmp": "image/bmp",
             "image/x-png": "image/png", "image/heif": "image/heic", "image/x-photoshop": "image/vnd.adobe.photoshop"}
# Types libvips reads from memory here, each by its own loader: never libvips's guess, which would
# rasterise an SVG (active content) or reach for a loader the DAM keeps off.
VIPS_BUFFER_LOADERS = {"image/jpeg": "jpegload_buffer", "image/png": "pngload_buffer", "image/tiff": "tiffload_buffer",
                       "image/webp": "webpload_buffer", "image/gif": "gifload_buffer", "image/avif": "heifload_buffer"}
# Types Pillow reads (with the HEIF opener the DAM registers): the flattened picture of a PSD, HEIC, BMP.
PILLOW_TYPES = {"image/bmp", "image/heic", "image/vnd.adobe.photoshop"}
LABELS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP", "image/tiff": "TIFF",
          "image/avif": "AVIF", "image/heic": "HEIC", "image/bmp": "BMP", "image/vnd.adobe.photoshop": "PSD",
          "application/pdf": "PDF", "video/mp4": "MP4", "video/quicktime": "QuickTime", "video/x-m4v": "M4V",
          "video/webm": "WebM", "video/x-matroska": "Matroska", "video/x-msvideo": "AVI"}

# The first JPEG tries, at full size: the quality of the DAM's own large presets, then a lower one.
QUALITIES = (85, 75)
# Long sides the picture is made smaller to (round numbers a person recognises in the note), each at the
# last quality above. The next one tried is estimated from what the last try weighed.
SIDES = (12000, 10000, 8000, 7000, 6000, 5000, 4000, 3500, 3000, 2500, 2048, 1600, 1280, 1024, 800, 640, 480, 320)
# A camera raw's embedded preview is used when its long side is at least half of this.
RAW_PREVIEW_SIDE = 4096
# Aim a little under the limit: a JPEG's size does not fall exactly with its pixel count.
MARGIN = 0.92


def sniff(data: bytes) -> str:
    """The MIME type of the bytes (libmagic, as at ingest)."""
    detected = magic.from_buffer(data[:SNIFF_BYTES], mime=True) if data else ""
    return SAME_TYPE.get(detected, detected) or "application/octet-stream"


def fit(data: bytes, name: str, *, accept: frozenset[str], max_bytes: int, max_video_bytes: int | None = None,
        target: str = "Postiz") -> Upload:
    """The file as the target will take it: as it is when its type is accepted and it fits, else a JPEG made
    smaller until it is under `max_bytes`; Problem with the reason when it cannot be made acceptable.

    `target` names the target in the notes and problems ("to fit Postiz's 10 MB limit")."""
    detected = sniff(data)
    mime = raw_type(name, detected) or detected  # a camera raw is a TIFF inside: its name says whose
    stem = _stem(name)
    if mime.startswith("video/"):
        return _video(data, mime, stem, accept=accept, limit=max_video_bytes or max_bytes, target=target)
    if mime in accept and len(data) <= max_bytes:
        width, height = _shown_size(data, mime)
        return Upload(data=data, name=_named(stem, name, mime), mime=mime, width=width, height=height)
    if "image/jpeg" not in accept:
        raise Problem(f"{target} does not take this {_label(mime)} file, and it takes no JPEG to convert it to.")
    picture, notes = _decoded(data, mime, target=target)
    jpeg, quality, side = _smaller_jpeg(picture, max_bytes, target=target)
    limit = f"to fit {target}'s {_megabytes(max_bytes)} limit"
    if mime != "image/jpeg":
        notes.insert(0, f"Converted from {_label(mime)} to JPEG.")
    if side:
        notes.append(f"Made smaller to {side} px (long side) at JPEG quality {quality} {limit}.")
    elif mime in accept or quality != QUALITIES[0]:  # encoded again only to be lighter
        notes.append(f"Saved at JPEG quality {quality} {limit}.")
    width, height = _shown_size(jpeg, "image/jpeg")
    return Upload(data=jpeg, name=f"{stem}.jpg", mime="image/jpeg", width=width, height=height, notes=notes)


def _video(data: bytes, mime: str, stem: str, *, accept: frozenset[str], limit: int, target: str) -> Upload:
    if mime not in accept:
        kinds = ", ".join(LABELS.get(m, m) for m in sorted(accept) if m.startswith("video/")) or "no"
        raise Problem(f"{target} takes {kinds} videos only; this one is {_label(mime)}, which the DAM does not "
                      "convert. Send a preset or version made as MP4.")
    if len(data) > limit:
        raise Problem(f"The video is {_megabytes(len(data))}; {target} takes videos up to {_megabytes(limit)}.")
    return Upload(data=data, name=f"{stem}{EXTENSIONS.get(mime, ('.mp4',))[0]}", mime=mime)


def _decoded(data: bytes, mime: str, *, target: str) -> tuple[pyvips.Image, list[str]]:
    """The whole picture, upright, 8-bit sRGB, transparency filled with white; with notes on what was lost."""
    if mime not in VIPS_BUFFER_LOADERS and mime not in PILLOW_TYPES and mime not in RAW_MIME_TYPES:
        raise Problem(_refusal(mime, target))
    notes: list[str] = []
    try:
        if mime in VIPS_BUFFER_LOADERS:
            # Opening reads the header only: the pixel limit is checked before any pixel is decoded.
            image = getattr(pyvips.Image, VIPS_BUFFER_LOADERS[mime])(data, fail_on="error")
            _check_pixels(image.width * image.height)
            if image.get_typeof("n-pages") and image.get("n-pages") > 1:
                notes.append("Only its first frame was kept." if mime in ("image/gif", "image/webp")
                             else "Only its first page was kept.")
            if image.hasalpha():
                notes.append("Its transparent parts were filled with white.")
            return _vips_srgb(image).autorot().copy_memory(), notes
        if mime in PILLOW_TYPES:  # Pillow fills transparency with white as it converts to sRGB
            picture = _decode_raster(io.BytesIO(data), settings.DAM_MAX_IMAGE_PIXELS)
        else:  # a camera raw: its embedded preview when large enough, else developed at half size
            picture = _decode_raw(io.BytesIO(data), RAW_PREVIEW_SIDE)
        _check_pixels(picture.width * picture.height)
        return _from_pillow(picture), notes
    except (RenditionFailed, *DECODE_ERRORS) as exc:
        reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise Problem(f"The {_label(mime)} file cannot be read to convert it for {target} ({reason[:160]}).") from None


def _smaller_jpeg(picture: pyvips.Image, max_bytes: int, *, target: str) -> tuple[bytes, int, int | None]:
    """The picture as a JPEG under `max_bytes`, its quality, and the long side it was made smaller to (None when
    kept): at full size with falling quality first, then smaller at the last quality."""
    long_side = max(picture.width, picture.height)
    data = b""
    for quality in QUALITIES:
        data = encoded(picture, Spec(format="jpeg", quality=quality))
        if len(data) <= max_bytes:
            return data, quality, None
    side, weight = long_side, len(data)
    while True:
        # What the last try weighed tells how many pixels fit: the size falls with the pixel count.
        estimate = side * math.sqrt(max_bytes * MARGIN / weight)
        smaller = [s for s in SIDES if s <= estimate and s < side]
        if not smaller:
            raise Problem(f"The picture cannot be made small enough to fit {target}'s {_megabytes(max_bytes)} "
                          f"limit, even at {side} px.")
        side = smaller[0]
        data = encoded(picture.resize(side / long_side), Spec(format="jpeg", quality=QUALITIES[-1]))
        weight = len(data)
        if weight <= max_bytes:
            return data, QUALITIES[-1], side


def _check_pixels(pixels: int) -> None:
    if pixels > settings.DAM_MAX_IMAGE_PIXELS:
        raise Problem("The picture has more pixels than this DAM converts.")


def _shown_size(data: bytes, mime: str) -> tuple[int | None, int | None]:
    """The size the picture is shown at (its header, turned by its orientation), without decoding it."""
    loader = VIPS_BUFFER_LOADERS.get(mime)
    if loader is None:
        return None, None
    try:
        header = getattr(pyvips.Image, loader)(data)
    except pyvips.Error:
        return None, None
    turned = header.get_typeof("orientation") and header.get("orientation") in (5, 6, 7, 8)
    return (header.height, header.width) if turned else (header.width, header.height)


def _refusal(mime: str, target: str) -> str:
    if mime == "application/pdf":
        return (f"{target} takes pictures and MP4 videos, not PDF files; choose a preset that makes a picture "
                "of it.")
    if mime.startswith("audio/"):
        return f"{target} takes pictures and MP4 videos; an audio file ({_label(mime)}) cannot be sent."
    if mime in ("application/octet-stream", ""):
        return (f"{target} takes pictures and MP4 videos; the DAM cannot tell what this file is, so it cannot "
                "convert it.")
    return f"{target} takes pictures and MP4 videos; this {_label(mime)} file cannot be turned into one."


def _label(mime: str) -> str:
    return LABELS.get(mime) or mime.split("/")[-1].removeprefix("x-").upper()


def _megabytes(size: int) -> str:
    if size >= 1024 * MB and size % (1024 * MB) == 0:
        return f"{size // (1024 * MB)} GB"
    return f"{size / MB:.0f} MB" if size >= 10 * MB else f"{size / MB:.1f} MB"


def _stem(name: str) -> str:
    """The name without folders or extension, safe to send ("image" when nothing is left)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base.strip(".") else base
    stem = "".join(c for c in stem if c.isprintable() and c not in '"\r\n').strip(" .")
    return stem[:100] or "image"


def _named(stem: str, name: str, mime: str) -> str:
    """The stem with its own extension when it already names the type (.jpeg), else the type's first."""
    own = EXTENSIONS.get(mime, (".bin",))
    current = PurePosixPath(name).suffix.lower()
    return stem + (current if current in own else own[0])
