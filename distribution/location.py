"""Where a picture was taken, removed from originals that leave the DAM through public links.

A camera or phone writes the position into EXIF (the GPS block) and often into IPTC
and XMP too (city, country, the location shown); an original handed to anonymous
visitors would give it away. libexiv2 (through pyexiv2) rewrites those metadata
blocks in place, without decoding or re-encoding the pixels, for the formats it can
write; for the others an original that carries a location is not offered publicly
(the share page says so) unless the link's maker chose to keep the location.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from typing import IO, Any

import pyexiv2
from django.conf import settings
from django.core.files.storage import default_storage

from assets.models import AssetVersion

logger = logging.getLogger(__name__)

# Formats whose metadata libexiv2 writes in place.
CLEANABLE = frozenset({"image/jpeg", "image/png", "image/tiff", "image/webp"})
_EXIF = re.compile(r"^Exif\.(GPSInfo\.|Image\.GPSTag$)")
_IPTC = re.compile(r"^Iptc\.Application2\.(City|SubLocation|ProvinceState|CountryCode|CountryName)$")
# XMP: EXIF's GPS tags, Photoshop's and IPTC Core's place names, IPTC Extension's location structures.
_XMP = re.compile(r"^Xmp\.(exif\.GPS|exifEX\.GPS|photoshop\.(City|State|Country)\b|iptc\.(Location|CountryCode)\b|"
                  r"iptcExt\.(LocationShown|LocationCreated)\b)")
# What ingest found in a video's or an audio file's tags that is a place (QuickTime's ISO 6709 string, ©xyz).
_MEDIA_TAG = re.compile(r"location|gps|xyz", re.IGNORECASE)


class LocationNotRemovable(Exception):
    """The original records where it was taken, and that cannot be removed from it; the message says so."""


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


def cleaned_original(version: AssetVersion) -> IO[bytes]:
    """The version's original file, open for reading, with its location removed (a CLEANABLE type).

    A private temporary copy whose name is gone at once: the open handle (closed by the response
    that streams it) is all that is left of it. Raises LocationNotRemovable when libexiv2 cannot
    rewrite this file's metadata.
    """
    handle, path = tempfile.mkstemp(prefix="dam-public-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with os.fdopen(handle, "wb") as copy, default_storage.open(version.file.name, "rb") as original:
            shutil.copyfileobj(original, copy, 1024 * 1024)
        try:
            remove_location(path)
        except RuntimeError as exc:  # damaged or unusual metadata that libexiv2 will not write
            logger.warning("the location of version %s could not be removed: %s", version.pk, exc)
            raise LocationNotRemovable("The original is not offered: where it was taken could not be removed "
                                       "from this file.") from exc
        return open(path, "rb")  # the response that streams it closes it
    finally:
        os.unlink(path)


def refusal(version: AssetVersion) -> str:
    """Why this version's original cannot leave without its location (empty when it can)."""
    if version.mime_type not in CLEANABLE and recorded_location(version):
        return ("The original is not offered: it records where it was taken, and that cannot be removed from "
                f"this kind of file ({version.mime_type}).")
    return ""


def public_original(version: AssetVersion) -> IO[bytes] | None:
    """The original to hand an anonymous visitor: a cleaned copy, or None when the stored file may go as it is
    (a kind of file that records no place). Raises LocationNotRemovable with the reason otherwise."""
    if (reason := refusal(version)):
        raise LocationNotRemovable(reason)
    return cleaned_original(version) if version.mime_type in CLEANABLE else None
