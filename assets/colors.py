"""Dominant colours of an image, in CIELAB, with a named family each: for "close to" search and a facet.

Computed from the thumbnail right after it is made (small, already upright and
sRGB), so ingest never decodes the original a second time.
"""
from __future__ import annotations

import colorsys
import math
import re

from django.core.files.storage import default_storage
from PIL import Image

from assets.models import AssetVersion

MAX_COLORS = 5
# Smaller patches are noise for "close to" and for the family facet; search's family index holds only the
# patches at least this large (search.models.AssetColor).
MIN_SHARE = 0.05
FAMILIES = ("red", "orange", "yellow", "green", "cyan", "blue", "purple", "pink", "brown", "black", "grey",
            "white")
# Each swatch is a member of its own family (family_of), so "close to" a swatch finds the whole family.
FAMILY_SWATCH = {"red": "#d62828", "orange": "#f77f00", "yellow": "#f4c430", "green": "#2a9d4f",
                 "cyan": "#20b2c8", "blue": "#1d4ed8", "purple": "#7b2cbf", "pink": "#ef5da8",
                 "brown": "#7f4f24", "black": "#111111", "grey": "#999999", "white": "#f8f9fa"}
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_hex(value: str) -> tuple[int, int, int] | None:
    """"#1e90ff", "1e90ff" or "#19f" as RGB; None when it is not a colour."""
    match = _HEX.match(value.strip())
    if not match:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def rgb_to_lab(rgb: tuple[int, int, int]) -> tuple[float, float, float]:
    """sRGB (D65) to CIELAB."""
    def linear(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    fx, fy, fz = f(x), f(y), f(z)
    return round(116 * fy - 16, 2), round(500 * (fx - fy), 2), round(200 * (fy - fz), 2)


def delta_e(left: tuple[float, float, float], right: tuple[float, float, float]) -> float:
    """CIE76 distance: the straight line in Lab, which is what the database computes too."""
    return math.dist(left, right)


def family_of(rgb: tuple[int, int, int]) -> str:
    """A colour family a person would name; hue bands chosen by eye on sRGB."""
    h, s, v = colorsys.rgb_to_hsv(*(c / 255 for c in rgb))
    if v < 0.18:
        return "black"
    if s < 0.15:
        return "white" if v > 0.85 else "grey"
    hue = h * 360
    if hue < 15 or hue >= 345:
        return "red"
    if hue < 40:
        return "brown" if v < 0.6 else "orange"
    if hue < 70:
        return "brown" if v < 0.45 else "yellow"
    if hue < 165:
        return "green"
    if hue < 200:
        return "cyan"
    if hue < 260:
        return "blue"
    if hue < 290:
        return "purple"
    return "pink"


def dominant_colors(image: Image.Image, count: int = MAX_COLORS) -> list[dict[str, object]]:
    """The image's main colours, largest share first: hex, share (0-1), lab, family."""
    small = image.convert("RGB")
    small.thumbnail((96, 96))
    quantized = small.quantize(colors=count, method=Image.Quantize.MEDIANCUT)
    palette = quantized.getpalette() or []
    found = quantized.getcolors() or []
    total = sum(n for n, _ in found) or 1
    colors = []
    for n, found_index in sorted(found, reverse=True):
        index = int(found_index)  # type: ignore[call-overload]  # Pillow types palette indexes loosely
        share = n / total
        if share < MIN_SHARE:
            continue
        rgb = (palette[index * 3], palette[index * 3 + 1], palette[index * 3 + 2])
        colors.append({"hex": "#{:02x}{:02x}{:02x}".format(*rgb), "share": round(share, 3),
                       "lab": list(rgb_to_lab(rgb)), "family": family_of(rgb)})
    return colors


def record_dominant_colors(*, version_id: int, rendition_name: str) -> list[dict[str, object]]:
    """Read the thumbnail and store the version's dominant colours; safe to run twice.

    Saved through the model, so its post_save reaches whoever keeps copies of a version's facts
    (search indexes the colours)."""
    try:
        with default_storage.open(rendition_name, "rb") as fh, Image.open(fh, formats=["JPEG"]) as image:
            colors = dominant_colors(image)
    except (OSError, ValueError):
        return []  # a missing or unreadable thumbnail only means no colour search for this version
    version = AssetVersion.objects.filter(pk=version_id).first()
    if version is not None:
        version.dominant_colors = colors
        version.save(update_fields=["dominant_colors"])
    return colors
