"""Where a picture was taken, as its embedded metadata records it, and removing that.

A camera or phone writes the position into EXIF (the GPS block) and often into IPTC
and XMP too (city, country, the location shown). libexiv2 (through pyexiv2) rewrites
those metadata blocks in place, without decoding or re-encoding the pixels, for the
formats it can write. Originals handed out publicly (distribution.location) and
derivatives that keep their metadata (assets.derivatives) leave without it.
"""
from __future__ import annotations

import re
from typing import Any

import pyexiv2

from assets.models import AssetVersion

# Formats whose metadata libexiv2 writes in place.
CLEANABLE = frozenset({"image/jpeg", "image/png", "image/tiff", "image/webp"})
_EXIF = re.compile(r"^Exif\.(GPSInfo\.|Image\.GPSTag$)")
_IPTC = re.compile(r"^Iptc\.Application2\.(City|SubLocation|ProvinceState|CountryCode|CountryName)$")
# XMP: EXIF's GPS tags, Photoshop's and IPTC Core's place names, IPTC Extension's location structures.
_XMP = re.compile(r"^Xmp\.(exif\.GPS|exifEX\.GPS|photoshop\.(City|State|Country)\b|iptc\.(Location|CountryCode)\b|"
                  r"iptcExt\.(LocationShown|LocationCreated)\b)")
# What ingest found in a video's or an audio file's tags that is a place (QuickTime's ISO 6709 string, ©xyz).
_MEDIA_TAG = re.compile(r"location|gps|xyz", re.IGNORECASE)


def recorded_location(version: AssetVersion) -> bool:
    """Whether ingest found a position or a place in the version's embedded metadata."""
    raw: dict[str, Any] = version.embedded_metadata or {}
    if raw.get("gps"):
        return True
    mapped = raw.get("mapped") or {}
    if any(mapped.get(key) for key in ("city", "state", "country", "location", "sublocation")):
        return True
    tags = ((raw.get("media") or {}).get("tags") or {}) | ((raw.get("audio") or {}).get("tags") or {})
    return any(_MEDIA_TAG.search(str(key)) for key in tags)


def _location_keys(image: Any) -> tuple[list[str], list[str], list[str]]:
    exif = [key for key in image.read_exif() if _EXIF.match(key)]
    iptc = [key for key in image.read_iptc() if _IPTC.match(key)]
    # An XMP structure is removed whole, through its top key ("...LocationShown", not "...[1]/...:City").
    xmp = list(dict.fromkeys(re.split(r"[\[/]", key)[0] for key in image.read_xmp() if _XMP.match(key)))
    return exif, iptc, xmp


def remove_location(path: str) -> bool:
    """Remove every location field from the image file at `path`, in place; True if there was any."""
    image = pyexiv2.Image(path)
    try:
        exif, iptc, xmp = _location_keys(image)
        if exif:
            image.modify_exif(dict.fromkeys(exif))
        if iptc:
            image.modify_iptc(dict.fromkeys(iptc))
        if xmp:
            image.modify_xmp(dict.fromkeys(xmp))
        return bool(exif or iptc or xmp)
    finally:
        image.close()


def has_location(path: str) -> bool:
    image = pyexiv2.Image(path)
    try:
        return any(_location_keys(image))
    finally:
        image.close()


def without_location(data: bytes) -> bytes:
    """An encoded image's bytes with every location field removed (a CLEANABLE format)."""
    image = pyexiv2.ImageData(data)
    try:
        exif, iptc, xmp = _location_keys(image)
        if exif:
            image.modify_exif(dict.fromkeys(exif))
        if iptc:
            image.modify_iptc(dict.fromkeys(iptc))
        if xmp:
            image.modify_xmp(dict.fromkeys(xmp))
        return image.get_bytes() if (exif or iptc or xmp) else data
    finally:
        image.close()
