"""What goes into a bag's data/ folder, and how it is named (docs/bags.md describes the layout).

    data/bag.json                                  what the bag holds, who made it, from where
    data/<uid>/asset.json                          fields, rights, terms (with SKOS URIs), versions,
                                                   review history and audit events
    data/<uid>/v<n>/<original name>                each version's original, byte for byte
    data/<uid>/v<n>/<original name>.xmp            its Dublin Core / XMP sidecar
    data/<uid>/v<n>/renditions/<preset>.<ext>      the approved version's ready renditions
    data/<uid>/v<n>/renditions/<preset>.<ext>.xmp  and their sidecars
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any
from xml.sax.saxutils import escape

FORMAT = "dam-bag/1"
BAG_JSON = "bag.json"
ASSET_JSON = "asset.json"
SIDECAR = ".xmp"

_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def safe_name(filename: str, fallback: str = "original") -> str:
    """A file name that is the same on every file system and in every zip tool: the last path part of
    the uploaded name, ASCII letters, digits, dot, dash, underscore and space; never hidden, never empty."""
    name = unicodedata.normalize("NFKD", filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE.sub("_", name.encode("ascii", "ignore").decode()).strip(" .")
    name = name[-120:].lstrip(" .")
    return name or fallback


def version_folder(uid: str, number: int) -> str:
    return f"{uid}/v{number}"


def _text(value: Any) -> str:
    return escape(_CONTROL.sub("", str(value)))


def _alt(value: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_text(value)}</rdf:li></rdf:Alt>'


def _bag(values: list[str]) -> str:
    return "<rdf:Bag>" + "".join(f"<rdf:li>{_text(v)}</rdf:li>" for v in values) + "</rdf:Bag>"


def xmp_sidecar(asset: dict[str, Any], *, mime_type: str, source: str, created: str | None) -> bytes:
    """A Dublin Core description of one file as an XMP packet (readable by ExifTool, Bridge, Lightroom):
    title, description, subjects (term labels) with their URIs as relations, rights, format, identifier."""
    rights = asset["rights"]
    statement = " — ".join(part for part in (rights["licence"], rights["usage_terms"]) if part)
    fields = [f"<dc:identifier>urn:uuid:{asset['uid']}</dc:identifier>", f"<dc:title>{_alt(asset['title'])}</dc:title>",
              f"<dc:format>{_text(mime_type)}</dc:format>", f"<dc:type>{_text(asset['asset_type'])}</dc:type>",
              f"<dc:source>{_text(source)}</dc:source>"]
    if asset["description"]:
        fields.append(f"<dc:description>{_alt(asset['description'])}</dc:description>")
    if created:
        fields += [f"<dc:date><rdf:Seq><rdf:li>{_text(created)}</rdf:li></rdf:Seq></dc:date>",
                   f"<xmp:CreateDate>{_text(created)}</xmp:CreateDate>"]
    if asset["terms"]:
        fields.append(f"<dc:subject>{_bag([t['label'] for t in asset['terms']])}</dc:subject>")
        fields.append(f"<dc:relation>{_bag([t['uri'] for t in asset['terms']])}</dc:relation>")
    if statement:
        fields += [f"<dc:rights>{_alt(statement)}</dc:rights>", f"<xmpRights:UsageTerms>{_alt(statement)}"
                   "</xmpRights:UsageTerms>"]
    if rights["rights_holder"]:
        fields += [f"<dc:publisher>{_bag([rights['rights_holder']])}</dc:publisher>",
                   f"<xmpRights:Owner>{_bag([rights['rights_holder']])}</xmpRights:Owner>"]
    body = "\n   ".join(fields)
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        ' xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:xmpRights="http://ns.adobe.com/xap/1.0/rights/">\n'
        f"   {body}\n"
        "  </rdf:Description>\n"
        " </rdf:RDF>\n"
        "</x:xmpmeta>\n"
        '<?xpacket end="w"?>\n'
    ).encode()
