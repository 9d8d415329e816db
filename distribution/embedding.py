"""The asset's rights written into every file that leaves the DAM (assets.embedding writes them).

`rights_for(asset)` is the one place that says what a downloaded file carries about its rights:
title, description, creator, the rights holder as the copyright notice, the credit line, the usage
terms (with the channels and regions the asset may be used in), the licence and a web statement (the licence if
it is a URL, else the asset's page). Fields added to assets later are added here, and every path
follows.

Derivatives get the rights when they are made: they are part of the recipe (Spec.rights), so a
rights edit is a new recipe, the next download makes a new file and a delivery URL's ETag changes.
Originals are never changed in storage: `original_with_rights` hands out a private temporary copy
with the rights written (and, for people without an account, the location removed), streamed by
the response and gone once it is closed. libexiv2 rewrites a file in memory (about the file's size
for JPEG, PNG and WebP, twice it for TIFF: measured in docs/embed.md), so originals above
WRITE_LIMIT go out as they are stored, without the rights; docs/embed.md says so.
"""
from __future__ import annotations

import logging
import os
import shutil
import tempfile
from typing import IO

from django.conf import settings

from assets.embedding import WRITABLE, Rights, rights_in_file
from assets.location import remove_location
from assets.models import Asset, AssetVersion, LicenceType
from assets.originals import open_original
from distribution import location

logger = logging.getLogger(__name__)

# The largest original the rights are written into (libexiv2 holds the file in memory while it writes).
WRITE_LIMIT = {"image/tiff": 128 * 1024 * 1024}
WRITE_LIMIT_DEFAULT = 256 * 1024 * 1024
BLOCK = 1024 * 1024


def credit(asset: Asset) -> str:
    """The credit line: the asset's own, else the schema's `credit` field if set, else the rights holder."""
    return (asset.credit_line.strip() or str((asset.metadata or {}).get("credit") or "").strip()
            or asset.rights_holder)


def rights_for(asset: Asset) -> Rights:
    """The rights to embed in a file of this asset: its current title, description and usage rights."""
    licence = asset.licence.strip()
    # The web statement is the licence's own page: the address the licence list gives it, or the licence
    # itself when it is an address; else the asset's page.
    listed = LicenceType.objects.filter(name__iexact=licence).values_list("url", flat=True).first() if licence else ""
    url = listed or (licence if licence.lower().startswith(("https://", "http://")) else "")
    terms = asset.usage_terms.strip()
    channels = [str(c).strip() for c in (asset.channels or []) if str(c).strip()]
    if channels:
        terms = f"{terms} Channels: {', '.join(channels)}.".strip()
    regions = [str(r).strip() for r in (asset.regions or []) if str(r).strip()]
    if regions:
        terms = f"{terms} Regions: {', '.join(regions)}.".strip()
    creator = (asset.metadata or {}).get("creator") or ""
    if isinstance(creator, list):
        creator = "; ".join(str(c) for c in creator)
    return Rights(
        title=asset.title.strip(), description=asset.description.strip(), creator=str(creator).strip(),
        copyright=asset.rights_holder.strip(), credit=credit(asset).strip(), usage_terms=terms, licence=licence,
        web_statement=url or settings.DAM_BASE_URL + asset.get_absolute_url())


def writes_rights(version: AssetVersion) -> bool:
    """Whether the rights are written into this version's original (a format libexiv2 writes, not too large)."""
    limit = WRITE_LIMIT.get(version.mime_type, WRITE_LIMIT_DEFAULT)
    return version.mime_type in WRITABLE and (version.size or 0) <= limit


def original_with_rights(version: AssetVersion, *, clean_location: bool) -> IO[bytes] | None:
    """The original to send: an open private copy with the asset's rights written (and the location removed
    when `clean_location`), or None when the stored file goes as it is (a format or size the rights are not
    written into, and nothing to clean). Raises location.LocationNotRemovable as location.public_original does.
    """
    if not writes_rights(version):
        return location.public_original(version) if clean_location else None
    if clean_location and (reason := location.refusal(version)):
        raise location.LocationNotRemovable(reason)
    rights = rights_for(version.asset)
    handle, path = tempfile.mkstemp(prefix="dam-rights-", dir=settings.FILE_UPLOAD_TEMP_DIR)
    try:
        with os.fdopen(handle, "wb") as copy, open_original(version) as original:
            shutil.copyfileobj(original, copy, BLOCK)
        if clean_location:
            try:
                remove_location(path)
            except RuntimeError as exc:
                logger.warning("the location of version %s could not be removed: %s", version.pk, exc)
                raise location.LocationNotRemovable("The original is not offered: where it was taken could not "
                                                    "be removed from this file.") from exc
        try:
            rights_in_file(path, rights)
        except RuntimeError as exc:  # metadata libexiv2 will not rewrite: the copy goes as it is
            logger.warning("the rights could not be written into version %s: %s", version.pk, exc)
        return open(path, "rb")  # the response that streams it closes it
    finally:
        os.unlink(path)  # the open handle is all that is left of the copy


def rights_tag(asset: Asset) -> str:
    """A short digest of the rights an original is sent with: part of a delivery URL's ETag."""
    return rights_for(asset).digest
