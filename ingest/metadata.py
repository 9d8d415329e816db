"""Embedded metadata read at ingest: EXIF, IPTC-IIM and XMP, reconciled as the MWG guidelines say.

Everything kept is JSON-serialisable (no bytes). A field that cannot be decoded
is skipped and the rest kept: real files carry broken tags (zero-denominator
rationals, wrong counts, text in unknown charsets) and a DAM must still ingest them.
"""
from __future__ import annotations

import hashlib
import logging
import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from defusedxml import ElementTree as SafeET
from PIL import ExifTags, Image, IptcImagePlugin, TiffImagePlugin

from assets.formats import PILLOW_FORMATS
from ingest import png_chunks

logger = logging.getLogger(__name__)

# Tags whose values are blobs or pointers, never useful to a person.
_SKIPPED_EXIF = {0x927C, 0x8769, 0x8825, 0xA005, 0x8773, 0x02BC, 0x83BB, 0x9286, 0x014A, 0xC4A5, 0x0111, 0x0117,
                 0x0144, 0x0145, 0x0201, 0x0202, 0x0103, 0x0106, 0x0115, 0x011C, 0x0153, 0x0152, 0x0140}
_MAX_TEXT = 4000

IPTC_NAMES = {
    (2, 5): "ObjectName", (2, 10): "Urgency", (2, 15): "Category", (2, 20): "SupplementalCategories",
    (2, 25): "Keywords", (2, 40): "SpecialInstructions", (2, 55): "DateCreated", (2, 60): "TimeCreated",
    (2, 62): "DigitalCreationDate", (2, 63): "DigitalCreationTime", (2, 80): "By-line", (2, 85): "By-lineTitle",
    (2, 90): "City", (2, 92): "Sub-location", (2, 95): "Province-State", (2, 100): "Country-PrimaryLocationCode",
    (2, 101): "Country-PrimaryLocationName", (2, 103): "OriginalTransmissionReference", (2, 105): "Headline",
    (2, 110): "Credit", (2, 115): "Source", (2, 116): "CopyrightNotice", (2, 118): "Contact",
    (2, 120): "Caption-Abstract", (2, 122): "Writer-Editor",
}
IPTC_LISTS = {"Keywords", "SupplementalCategories", "By-line", "Contact"}

XMP_PREFIXES = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/xap/1.0/mm/": "xmpMM",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/exif/1.0/aux/": "aux",
    "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/": "Iptc4xmpCore",
    "http://iptc.org/std/Iptc4xmpExt/2008-02-29/": "Iptc4xmpExt",
    "http://ns.adobe.com/lightroom/1.0/": "lr",
    "http://ns.adobe.com/camera-raw-settings/1.0/": "crs",
    "http://ns.useplus.org/ldf/xmp/1.0/": "plus",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
}
RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class Extracted:
    """What was read from a file's embedded metadata."""

    raw: dict[str, Any] = field(default_factory=dict)  # stored as AssetVersion.embedded_metadata
    fields: dict[str, str] = field(default_factory=dict)  # title, description, creator, rights_holder, usage_terms


# --- small converters ---------------------------------------------------------

def _text(value: Any) -> str | None:
    if isinstance(value, bytes):
        for encoding in ("utf-8", "latin-1"):
            try:
                value = value.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
    if not isinstance(value, str):
        return None
    value = value.replace("\x00", "").strip()
    if not value or not value.isprintable() and not all(c.isprintable() or c in "\n\r\t" for c in value):
        return None
    return value[:_MAX_TEXT]


def _jsonable(value: Any) -> Any:
    """EXIF values as JSON, or None for a value that cannot be represented (it is then skipped)."""
    if isinstance(value, TiffImagePlugin.IFDRational):
        if value.denominator == 0:
            return None
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _text(_as_utf8(value))
    if isinstance(value, bytes):
        return _text(value)
    if isinstance(value, tuple | list):
        items = [_jsonable(v) for v in value[:64]]
        return None if any(v is None for v in items) else items
    return None


def _as_utf8(value: str) -> str:
    """An EXIF text as MWG 2.0 reads it: UTF-8 when its bytes are valid UTF-8 (Pillow hands them over as
    Latin-1, so "Café" written by ExifTool or libexiv2 would come back as "CafÃ©"), else as it is."""
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


# --- EXIF ----------------------------------------------------------------------

def _exif_of(im: Image.Image, png: png_chunks.Found | None) -> Image.Exif:
    if png is None:
        return im.getexif()
    # Not im.getexif(): for a PNG it decodes every pixel to look for EXIF after the image data.
    exif = Image.Exif()
    if png.exif:
        exif.load(png.exif)
    return exif


def _read_exif(im: Image.Image, png: png_chunks.Found | None) -> dict[str, Any]:
    exif = _exif_of(im, png)
    out: dict[str, Any] = {}
    groups = [(dict(exif), ExifTags.TAGS)]
    for ifd_id in (ExifTags.IFD.Exif, ExifTags.IFD.GPSInfo):
        try:
            groups.append((dict(exif.get_ifd(ifd_id)),
                           ExifTags.GPSTAGS if ifd_id == ExifTags.IFD.GPSInfo else ExifTags.TAGS))
        except Exception:
            logger.info("skipping unreadable EXIF IFD %s", ifd_id)
    for tags, names in groups:
        for tag, value in tags.items():
            if tag in _SKIPPED_EXIF and names is ExifTags.TAGS:
                continue
            try:
                converted = _jsonable(value)
            except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                converted = None
            if converted is None:
                continue
            key = names.get(tag, f"0x{tag:04x}")
            if names is ExifTags.GPSTAGS:
                key = f"GPS{key}" if not key.startswith("GPS") else key
            out[key] = converted
    return out


def _gps_decimal(exif: dict[str, Any]) -> dict[str, float]:
    def degrees(parts: Any, ref: Any, negative: str) -> float | None:
        if not isinstance(parts, list) or len(parts) != 3 or not all(isinstance(p, int | float) for p in parts):
            return None
        value = parts[0] + parts[1] / 60 + parts[2] / 3600
        if not -180 <= value <= 180:
            return None
        return round(-value if ref == negative else value, 7)

    gps: dict[str, float] = {}
    lat = degrees(exif.get("GPSLatitude"), exif.get("GPSLatitudeRef"), "S")
    lon = degrees(exif.get("GPSLongitude"), exif.get("GPSLongitudeRef"), "W")
    if lat is not None and lon is not None and abs(lat) <= 90:
        gps.update(latitude=lat, longitude=lon)
        altitude = exif.get("GPSAltitude")
        if isinstance(altitude, int | float):
            gps["altitude"] = -float(altitude) if exif.get("GPSAltitudeRef") == 1 else float(altitude)
    return gps


# --- IPTC ----------------------------------------------------------------------

def _read_iptc(im: Any) -> tuple[dict[str, Any], bool | None]:
    """IPTC-IIM datasets by name, and whether they are in sync with XMP (None = no digest stored)."""
    try:
        info = IptcImagePlugin.getiptcinfo(im) or {}
    except Exception:  # a malformed IIM block: no IPTC rather than no asset
        logger.info("skipping unreadable IPTC block")
        return {}, None
    utf8 = info.get((1, 90), b"") == b"\x1b%G"
    out: dict[str, Any] = {}
    for key, value in info.items():
        name = IPTC_NAMES.get(key)
        if name is None:
            continue
        values = value if isinstance(value, list) else [value]
        texts = [t for t in (_text(v.decode("utf-8", "replace") if utf8 else v) for v in values) if t]
        if texts:
            out[name] = texts if name in IPTC_LISTS else texts[0]
    in_sync: bool | None = None
    photoshop = im.info.get("photoshop") or {}
    stored, block = photoshop.get(0x0425), photoshop.get(0x0404)
    if isinstance(stored, bytes) and isinstance(block, bytes):
        in_sync = hashlib.md5(block, usedforsecurity=False).digest() == stored[:16]
    return out, in_sync


# --- XMP -------------------------------------------------------------------------

def _xmp_packet(im: Image.Image, png: png_chunks.Found | None) -> bytes | None:
    if png is not None:
        return png.xmp  # im.info holds only the text chunks before the image data
    packet = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
    if packet is None and hasattr(im, "tag_v2"):
        packet = im.tag_v2.get(700)  # TIFF XMLPacket
    if isinstance(packet, str):
        packet = packet.encode("utf-8")
    if isinstance(packet, tuple):
        packet = bytes(packet)
    return packet if isinstance(packet, bytes) else None


def _xmp_name(tag: str) -> str:
    if tag.startswith("{"):
        uri, local = tag[1:].split("}", 1)
        prefix = XMP_PREFIXES.get(uri) or uri.rstrip("/#").rsplit("/", 1)[-1] or "ns"
        return f"{prefix}:{local}"
    return tag


def _xmp_value(element: Any) -> Any:
    container = next((c for c in element if c.tag in (f"{RDF}Alt", f"{RDF}Bag", f"{RDF}Seq")), None)
    if container is not None:
        items = [c for c in container if c.tag == f"{RDF}li"]
        if container.tag == f"{RDF}Alt":
            chosen = next((c for c in items if c.get(XML_LANG) == "x-default"), items[0] if items else None)
            return _text(chosen.text or "") if chosen is not None else None
        values = [_text(c.text or "") for c in items]
        return [v for v in values if v] or None
    if len(element):
        nested = {_xmp_name(c.tag): _xmp_value(c) for c in element if c.tag != f"{RDF}Description"}
        for description in element.iter(f"{RDF}Description"):
            nested.update({_xmp_name(k): _text(v) for k, v in description.attrib.items() if not k.startswith(RDF)})
        nested = {k: v for k, v in nested.items() if v}
        return nested or None
    return _text(element.text or "")


def _read_xmp(im: Image.Image, png: png_chunks.Found | None) -> dict[str, Any]:
    packet = _xmp_packet(im, png)
    if not packet:
        return {}
    try:
        if packet.startswith((b"\x00<", b"\xfe\xff")):
            packet = packet.decode("utf-16-be").encode("utf-8")
        elif packet.startswith((b"<\x00", b"\xff\xfe")):
            packet = packet.decode("utf-16-le").encode("utf-8")
        # defusedxml: no entity expansion, no external entities (XMP comes from strangers).
        root = SafeET.fromstring(_between_xmpmeta(packet) if b"<x:xmpmeta" in packet
                                 else packet.strip(b"\x00 \n\r\t"))
    except Exception:
        logger.info("skipping unparseable XMP packet")
        return {}
    out: dict[str, Any] = {}
    for description in root.iter(f"{RDF}Description"):
        for key, value in description.attrib.items():
            if key.startswith(RDF) or key == XML_LANG:
                continue
            text = _text(value)
            if text:
                out[_xmp_name(key)] = text
        for child in description:
            value = _xmp_value(child)
            if value:
                out[_xmp_name(child.tag)] = value
    return out


def _between_xmpmeta(packet: bytes) -> bytes:
    start = packet.find(b"<x:xmpmeta")
    end_tag = b"</x:xmpmeta>"
    end = packet.find(end_tag, start)
    return packet[start:end + len(end_tag)] if end != -1 else packet[start:]


# --- MWG reconciliation ------------------------------------------------------------

def _first(value: Any) -> str | None:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value if v) or None
    if isinstance(value, dict):
        return None
    return value or None


def reconcile(exif_value: Any, iptc_value: Any, xmp_value: Any, iptc_in_sync: bool | None) -> Any:
    """One value from the three places, by the MWG 2.0 reading rules (as ExifTool's MWG module applies them).

    A non-blank EXIF value wins. Otherwise XMP wins, unless there is IPTC and the
    stored IPTC digest says it was changed after the XMP was written (then IPTC,
    the newer edit, wins); IPTC is also used when there is no XMP value at all.
    """
    if isinstance(exif_value, str) and exif_value.strip():
        return exif_value
    if iptc_value in (None, "", []):
        return xmp_value
    if xmp_value not in (None, "", []) and iptc_in_sync is not False:
        return xmp_value
    return iptc_value


def _mapped(exif: dict[str, Any], iptc: dict[str, Any], xmp: dict[str, Any], in_sync: bool | None) -> dict[str, Any]:
    creator = reconcile(exif.get("Artist"), iptc.get("By-line"), xmp.get("dc:creator"), in_sync)
    if isinstance(creator, str) and "; " in creator:
        creator = [part.strip() for part in creator.split("; ") if part.strip()]  # MWG list-in-a-string
    fields = {
        "title": _first(reconcile(None, iptc.get("ObjectName"), xmp.get("dc:title"), in_sync)),
        "description": _first(reconcile(exif.get("ImageDescription"), iptc.get("Caption-Abstract"),
                                        xmp.get("dc:description"), in_sync)),
        "creator": _first(creator),
        "rights_holder": _first(reconcile(exif.get("Copyright"), iptc.get("CopyrightNotice"),
                                          xmp.get("dc:rights"), in_sync)),
        "usage_terms": _first(xmp.get("xmpRights:UsageTerms")),
        "headline": _first(reconcile(None, iptc.get("Headline"), xmp.get("photoshop:Headline"), in_sync)),
        "city": _first(reconcile(None, iptc.get("City"), xmp.get("photoshop:City"), in_sync)),
        "state": _first(reconcile(None, iptc.get("Province-State"), xmp.get("photoshop:State"), in_sync)),
        "country": _first(reconcile(None, iptc.get("Country-PrimaryLocationName"), xmp.get("photoshop:Country"),
                                    in_sync)),
        "date_taken": _first(exif.get("DateTimeOriginal") or reconcile(
            None, iptc.get("DateCreated"), xmp.get("photoshop:DateCreated"), in_sync)),
    }
    return {k: v for k, v in fields.items() if v}


def keywords_of(iptc: dict[str, Any], xmp: dict[str, Any], in_sync: bool | None) -> list[str]:
    """IPTC Keywords or XMP dc:subject (chosen by the MWG rule), deduplicated in order, as plain strings."""
    subject = xmp.get("dc:subject") or []
    subject = [subject] if isinstance(subject, str) else subject
    chosen = reconcile(None, iptc.get("Keywords") or [], subject, in_sync) or []
    seen: dict[str, str] = {}
    for keyword in chosen:
        text = _text(keyword)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


CAMERA_FIELDS = ("Make", "Model", "LensModel", "ExposureTime", "FNumber", "ISOSpeedRatings", "FocalLength",
                 "DateTimeOriginal", "Orientation")


def read_image(fileobj: IO[bytes]) -> Extracted:
    """EXIF, IPTC and XMP of an image, without decoding its pixels."""
    fileobj.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # metadata warnings (bad EXIF) are not errors here
            with Image.open(fileobj, formats=PILLOW_FORMATS) as im:
                png = _png_chunks(im, fileobj)
                exif = _safely(_read_exif, im, png)
                iptc, in_sync = _safely(_read_iptc, im) or ({}, None)
                xmp = _safely(_read_xmp, im, png)
    except Exception:  # the pixel data is checked elsewhere; no metadata is not a reason to refuse
        logger.info("no readable metadata")
        return Extracted()
    finally:
        fileobj.seek(0)
    raw: dict[str, Any] = {"exif": exif or {}, "iptc": iptc, "xmp": xmp or {}}
    raw["keywords"] = keywords_of(iptc, xmp or {}, in_sync)
    gps = _gps_decimal(exif or {})
    if gps:
        raw["gps"] = gps
    raw["camera"] = {k: (exif or {})[k] for k in CAMERA_FIELDS if k in (exif or {})}
    if in_sync is not None:
        raw["iptc_in_sync"] = in_sync
    mapped = _mapped(exif or {}, iptc, xmp or {}, in_sync)
    raw["mapped"] = mapped
    return Extracted(raw=raw, fields=mapped)


def _png_chunks(im: Image.Image, fileobj: IO[bytes]) -> png_chunks.Found | None:
    """A PNG's EXIF and XMP, read once from its chunks; None for other formats (Pillow reads theirs cheaply)."""
    if im.format != "PNG":
        return None
    return _safely(png_chunks.read_metadata, fileobj) or png_chunks.Found()


def _safely(reader: Callable[..., Any], *args: Any) -> Any:
    try:
        return reader(*args)
    except Exception:
        logger.info("skipping unreadable metadata group %s", reader.__name__)
        return None


CAMERA_NAME_LENGTH = 100  # AssetVersion.camera_make / camera_model


def capture_date(value: Any) -> date | None:
    """The day of an EXIF ("2024:05:01 10:00:00") or ISO ("2024-05-01T10:00") date, or None if it is not one."""
    text = _text(value)
    if not text or len(text) < 10:
        return None
    try:
        year, month, day = (int(part) for part in text[:10].replace("-", ":").split(":"))
        return date(year, month, day)
    except ValueError:
        return None


def capture_facts(raw: dict[str, Any]) -> dict[str, Any]:
    """The camera and capture day of a file, as AssetVersion keeps them for filters and facets.

    The camera is EXIF Make and Model; the day is EXIF DateTimeOriginal, else the
    IPTC or XMP creation date that the metadata mapping chose.
    """
    exif = raw.get("exif") or {}
    mapped = raw.get("mapped") or {}
    return {"camera_make": (_text(exif.get("Make")) or "")[:CAMERA_NAME_LENGTH],
            "camera_model": (_text(exif.get("Model")) or "")[:CAMERA_NAME_LENGTH],
            "captured_on": capture_date(exif.get("DateTimeOriginal")) or capture_date(mapped.get("date_taken"))}


# EXIF orientations whose picture is shown turned a quarter (5-8: transposed, turned 90 or 270 degrees).
QUARTER_TURNS = (5, 6, 7, 8)


def upright_size(width: int | None, height: int | None, raw: dict[str, Any]) -> tuple[int | None, int | None]:
    """The picture's size as it is shown: swapped when its EXIF (or XMP) orientation turns it a quarter, or when
    a video's display matrix does."""
    exif = raw.get("exif") or {}
    orientation: Any = exif.get("Orientation") or (raw.get("xmp") or {}).get("tiff:Orientation")
    try:
        quarter = int(orientation) in QUARTER_TURNS
    except (TypeError, ValueError):
        quarter = False
    streams = (raw.get("media") or {}).get("streams") or []
    quarter = quarter or any(int(stream.get("rotation") or 0) % 180 == 90 for stream in streams
                             if stream.get("type") == "video")
    return (height, width) if quarter else (width, height)
