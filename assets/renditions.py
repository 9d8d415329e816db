"""Making renditions from an original: decoded at reduced size, upright, sRGB, no metadata."""
from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps

from assets.files import PILLOW_FORMATS
from assets.models import AssetVersion, Rendition

SIZES = {Rendition.Preset.THUMB: 400, Rendition.Preset.PREVIEW: 1600}


class RenditionFailed(Exception):
    pass


@dataclass(frozen=True)
class Made:
    name: str
    mime_type: str
    width: int
    height: int
    size: int


def render(version: AssetVersion, preset: str) -> Made:
    """Write the rendition's JPEG under a new key and describe it."""
    if not version.is_image:
        raise RenditionFailed("No preview for this file type.")
    box = SIZES[Rendition.Preset(preset)]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with version.file.open("rb") as fh, Image.open(fh, formats=PILLOW_FORMATS) as source:
                source.draft("RGB", (box, box))  # JPEG: decode at 1/2..1/8 scale straight away
                im: Image.Image = ImageOps.exif_transpose(source)
                if im.mode not in ("RGB", "L"):
                    has_alpha = "A" in im.getbands() or im.mode == "P"
                    im = im.convert("RGBA").convert("RGB") if has_alpha else im.convert("RGB")
                im.thumbnail((box, box), Image.Resampling.LANCZOS)
                out = io.BytesIO()
                # No exif= / icc_profile= arguments: renditions carry no GPS or camera data.
                im.save(out, "JPEG", quality=85, optimize=True, progressive=True)
                width, height = im.size
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise RenditionFailed(f"Preview unavailable: {exc}") from exc
    key = uuid.uuid4().hex
    name = default_storage.save(f"renditions/{key[:2]}/{key}-{preset}.jpg", ContentFile(out.getvalue()))
    return Made(name=name, mime_type="image/jpeg", width=width, height=height, size=out.tell())
