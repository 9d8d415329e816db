"""Which stored files the DAM decodes, and for which it makes previews."""
from __future__ import annotations

import pillow_heif

# HEIC/HEIF through libheif (pillow-heif's bundled build), for ingest and the rendition jobs alike;
# registered once, read-only use.
pillow_heif.register_heif_opener()

# Formats Pillow may decode (camera JPEGs open as MPO through the JPEG opener).
# EPS/PS are not here on purpose: Pillow would hand
# them to Ghostscript, which has a long record of code-execution bugs.
PILLOW_FORMATS = ("JPEG", "PNG", "GIF", "WEBP", "TIFF", "BMP", "HEIF")
IMAGE_MIME_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp", "image/tiff", "image/bmp", "image/x-ms-bmp",
                    "image/heic", "image/heif"}


def can_render(mime_type: str) -> bool:
    """Whether the DAM makes previews for this type (SVG, audio, office files get a type icon instead).

    SVG is never rasterised here: an untrusted SVG is active content, stored as a download only.
    """
    return mime_type in IMAGE_MIME_TYPES or mime_type == "application/pdf" or mime_type.startswith("video/")
