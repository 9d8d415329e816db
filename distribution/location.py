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
import shutil
import tempfile
from typing import IO

from django.conf import settings

from assets.location import CLEANABLE, has_location, recorded_location, remove_location
from assets.models import AssetVersion
from assets.originals import open_original

__all__ = ["CLEANABLE", "LocationNotRemovable", "cleaned_original", "has_location", "public_original",
           "recorded_location", "refusal", "remove_location"]

logger = logging.getLogger(__name__)


class LocationNotRemovable(Exception):
    """The original records where it was taken, and that cannot be removed from it; the message says so."""


def cleaned_original(version: AssetVersion) -> IO[bytes]:
    """The version's original file, open for reading, with its location removed (a CLEANABLE type).

    A private temporary copy whose name is gone at once: the open handle (closed by the response
    that streams it) is all that is left of it. Raises LocationNotRemovable when libexiv2 cannot
    rewrite this file's metadata.
    """
    handle, path = tempfile.mkstemp(prefix="dam-public-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with os.fdopen(handle, "wb") as copy, open_original(version) as original:
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
