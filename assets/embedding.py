"""Writing an asset's rights into a file's embedded metadata, the way the Metadata Working Group says.

MWG 2.0 keeps one value in three places: EXIF (Copyright, Artist, ImageDescription), IPTC-IIM
(CopyrightNotice, By-line, Credit, Caption-Abstract, ObjectName) and XMP (dc:rights, dc:creator,
dc:description, dc:title, photoshop:Credit, xmpRights:UsageTerms, WebStatement, Marked). A reader
(ExifTool's MWG module, and ingest.metadata here) takes EXIF first, then XMP unless the stored IPTC
digest says the IPTC changed after it; so all three are written with the same text and the stale
digest is removed (libexiv2 drops the Photoshop IRB digest when it rewrites the IPTC block, and
photoshop:LegacyIPTCDigest is removed here): no reader is left distrusting or preferring an old value.

A field the asset leaves blank is removed from the file, not kept from the original: what a
downloaded file says about its rights is the asset's current word, never an older one. Location is
never written. libexiv2 (pyexiv2) rewrites the metadata blocks without decoding or re-encoding the
pixels, for JPEG, PNG, TIFF and WebP (assets.location.CLEANABLE).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, fields
from typing import Any

import pyexiv2

from assets.location import CLEANABLE

WRITABLE = CLEANABLE
# Creative Commons' namespace is not among libexiv2's built-in ones; cc:license carries a licence's name/URL.
pyexiv2.registerNs("http://creativecommons.org/ns#", "cc")

# IPTC-IIM's lengths in bytes (IIM 4.2): longer values are cut (at a character) there, in full in EXIF and XMP.
_IIM_LIMITS = {"ObjectName": 64, "Byline": 32, "Credit": 32, "Copyright": 128, "Caption": 2000}
_PUBLIC_DOMAIN = ("cc0", "public domain", "publicdomain", "/zero/", "/mark/")


@dataclass(frozen=True)
class Rights:
    """What a file leaving the DAM says about itself: the asset's title, description and rights, as text."""

    title: str = ""
    description: str = ""
    creator: str = ""  # several creators joined by "; " (MWG's list-in-a-string for EXIF Artist)
    copyright: str = ""  # the notice; the asset's rights holder
    credit: str = ""
    usage_terms: str = ""
    licence: str = ""
    web_statement: str = ""  # a URL: the licence's if it is one, else the asset's page

    def as_pairs(self) -> tuple[tuple[str, str], ...]:
        """Hashable and JSON-friendly: part of a derivative's recipe (assets.derivatives.Spec)."""
        return tuple(asdict(self).items())

    @classmethod
    def from_pairs(cls, pairs: Any) -> Rights:
        known = {f.name for f in fields(cls)}
        return cls(**{str(k): str(v) for k, v in pairs if k in known})

    @property
    def digest(self) -> str:
        """Changes whenever any written value changes: part of ETags of files that carry them."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:12]

    @property
    def marked(self) -> str:
        """xmpRights:Marked: True for a work under copyright, False for public domain, blank when unknown."""
        said = f"{self.licence} {self.web_statement}".lower()
        if any(word in said for word in _PUBLIC_DOMAIN):
            return "False"
        return "True" if self.copyright or self.licence else ""


def _iim(value: str, name: str) -> str:
    limit = _IIM_LIMITS[name]
    data = value.encode("utf-8")[:limit]
    return data.decode("utf-8", "ignore")


def _alt(value: str) -> dict[str, str] | None:
    return {'lang="x-default"': value} if value else None


def write_rights(image: Any, rights: Rights) -> None:
    """Write the rights into an open pyexiv2 Image or ImageData (EXIF, IPTC and XMP alike).

    Raises RuntimeError when libexiv2 cannot write this file's metadata.
    """
    creators = [part.strip() for part in rights.creator.split(";") if part.strip()]
    image.modify_exif({
        "Exif.Image.Copyright": rights.copyright or None,
        "Exif.Image.Artist": "; ".join(creators) or None,
        "Exif.Image.ImageDescription": rights.description or None,
    })
    existing_iptc = image.read_iptc()
    iptc: dict[str, Any] = {
        "Iptc.Application2.ObjectName": _iim(rights.title, "ObjectName") or None,
        "Iptc.Application2.Byline": [_iim(c, "Byline") for c in creators] or None,
        "Iptc.Application2.Credit": _iim(rights.credit, "Credit") or None,
        "Iptc.Application2.Copyright": _iim(rights.copyright, "Copyright") or None,
        "Iptc.Application2.Caption": _iim(rights.description, "Caption") or None,
    }
    if existing_iptc or any(iptc.values()):
        # ESC % G: the IIM block's text is UTF-8 (without it readers guess Latin-1).
        image.modify_iptc({"Iptc.Envelope.CharacterSet": "\x1b%G", **{
            key: value for key, value in iptc.items() if value is not None or key in existing_iptc}})
    xmp: dict[str, Any] = {
        "Xmp.dc.title": _alt(rights.title),
        "Xmp.dc.description": _alt(rights.description),
        "Xmp.dc.creator": creators or None,
        "Xmp.dc.rights": _alt(rights.copyright),
        "Xmp.photoshop.Credit": rights.credit or None,
        "Xmp.xmpRights.UsageTerms": _alt(rights.usage_terms),
        "Xmp.xmpRights.WebStatement": rights.web_statement or None,
        "Xmp.xmpRights.Marked": rights.marked or None,
        "Xmp.cc.license": rights.licence or None,
        "Xmp.photoshop.LegacyIPTCDigest": None,  # stale once the IPTC above is written
    }
    present = image.read_xmp()
    # Removing what is absent is a no-op for libexiv2, but an alternative-language array must go whole.
    image.modify_xmp({key: value for key, value in xmp.items() if value is not None or key in present})


def rights_in_bytes(data: bytes, rights: Rights) -> bytes:
    """An encoded picture's bytes with the rights written (a WRITABLE format); the pixels untouched."""
    image = pyexiv2.ImageData(data)
    try:
        write_rights(image, rights)
        return bytes(image.get_bytes())
    finally:
        image.close()


def rights_in_file(path: str, rights: Rights) -> None:
    """Write the rights into the picture file at `path`, in place (a private copy, never a stored original)."""
    image = pyexiv2.Image(path)
    try:
        write_rights(image, rights)
    finally:
        image.close()


def read_rights(data: bytes) -> dict[str, dict[str, Any]]:
    """The EXIF, IPTC and XMP a file carries, as libexiv2 reads them (for checks and tests)."""
    image = pyexiv2.ImageData(data)
    try:
        return {"exif": image.read_exif(), "iptc": image.read_iptc(), "xmp": image.read_xmp()}
    finally:
        image.close()
