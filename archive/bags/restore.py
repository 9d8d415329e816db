"""Reading a bag back: unzip safely, validate it fully with bagit (every checksum) and check what it names,
all before the database is touched; then recreate the assets in one transaction.

A bag is refused (BagRefused, with the reason in a sentence naming the file) when it is not a zip or not a
bag, when any checksum fails, when it holds files outside its payload and tag files, when it names a term
this DAM does not have, or when an asset's uid exists already (unless replacing). Nothing is imported then.
"""
from __future__ import annotations

import json
import os
import shutil
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import bagit
from django.template.defaultfilters import filesizeformat

from archive.bags import layout
from assets.models import Asset
from taxonomy.models import Term

# What may sit beside data/ in a bag this DAM reads (RFC 8493 section 2): the tag files.
TAG_FILES = ("bagit.txt", "bag-info.txt", "fetch.txt")
TAG_PREFIXES = ("manifest-", "tagmanifest-")


class BagRefused(Exception):
    """The bag cannot be restored; the message says why, naming the file at fault."""


@dataclass
class ReadBag:
    """A validated bag: where it was unpacked, its description and each asset's record."""

    root: Path
    info: dict[str, Any]
    assets: list[dict[str, Any]]
    terms: dict[str, Term] = field(default_factory=dict)

    def payload(self, path: str) -> Path:
        return self.root / "data" / path


def unpack(zip_path: Path, into: Path) -> Path:
    """Extract the zip into `into`, refusing any entry that would land outside it; return the bag's folder."""
    try:
        archive = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError):
        raise BagRefused(f"{zip_path.name} is not a zip archive, so it cannot be a zipped bag.") from None
    with archive:
        for entry in archive.infolist():
            parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
            if entry.filename.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
                raise BagRefused(f"The zip entry {entry.filename!r} points outside the bag; it was not unpacked.")
        unpacked = sum(entry.file_size for entry in archive.infolist())
        free = shutil.disk_usage(into).free
        if unpacked > free * 0.9:  # a zip bomb, or a bag too big for this disk: refused before a byte is written
            raise BagRefused(f"{zip_path.name} unpacks to {_size(unpacked)}, more than the {_size(free)} free for "
                             "unpacking it; nothing was unpacked.")
        try:
            archive.extractall(into)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BagRefused(f"{zip_path.name} could not be unpacked: {exc}.") from None
    if (into / "bagit.txt").is_file():
        return into
    tops = [p for p in into.iterdir() if not p.name.startswith("__MACOSX")]
    if len(tops) == 1 and (tops[0] / "bagit.txt").is_file():
        return tops[0]
    raise BagRefused(f"{zip_path.name} is not a BagIt bag: it has no bagit.txt at its top.")


def _size(value: int) -> str:
    return str(filesizeformat(value)).replace("\xa0", " ")


def _outside_payload(root: Path) -> list[str]:
    strays = []
    for entry in sorted(root.iterdir()):
        name = entry.name
        if name == "data" and entry.is_dir():
            continue
        if entry.is_file() and (name in TAG_FILES or name.startswith(TAG_PREFIXES)):
            continue
        strays.append(name + ("/" if entry.is_dir() else ""))
    return strays


def validate(root: Path) -> bagit.Bag:
    """bagit's full validation (structure, Payload-Oxum, every payload and tag checksum), plus this DAM's
    rules: SHA-256 manifests, nothing to fetch, nothing beside the payload but tag files."""
    try:
        bag = bagit.Bag(str(root))
    except bagit.BagError as exc:
        raise BagRefused(f"This is not a valid BagIt bag: {exc}.") from None
    strays = _outside_payload(root)
    if strays:
        raise BagRefused(f"The bag holds {', '.join(strays)} outside its payload (data/); a bag may hold only its "
                         "payload and tag files there.")
    if "sha256" not in bag.algorithms:
        raise BagRefused("The bag has no SHA-256 manifest (manifest-sha256.txt); this DAM restores only bags "
                         "checked with SHA-256.")
    if list(bag.fetch_entries()):
        raise BagRefused("The bag lists files to fetch from elsewhere (fetch.txt); restore needs every file inside.")
    # Completeness first, file by file: bagit's own first check (Payload-Oxum) says only that counts differ.
    on_disk = {path.replace(os.sep, "/") for path in bag.payload_files()}
    listed = {path.replace("\\", "/") for path in bag.payload_entries()}
    if on_disk != listed:
        sentences = [f"{p} is in the payload but not in the manifest." for p in sorted(on_disk - listed)[:10]]
        sentences += [f"{p} is listed in the manifest but missing from the bag." for p in sorted(listed - on_disk)[:10]]
        raise BagRefused("The bag failed validation and nothing was imported: " + " ".join(sentences))
    try:
        bag.validate(processes=1, fast=False, completeness_only=False)
    except bagit.BagValidationError as exc:
        raise BagRefused(_validation_sentence(exc)) from None
    except bagit.BagError as exc:
        raise BagRefused(f"The bag is not valid: {exc}.") from None
    return bag


def _validation_sentence(exc: bagit.BagValidationError) -> str:
    sentences = []
    for detail in exc.details or []:
        if isinstance(detail, bagit.ChecksumMismatch):
            sentences.append(f"{detail.path} does not match its {detail.algorithm} checksum: its bytes changed.")
        elif isinstance(detail, bagit.FileMissing):
            sentences.append(f"{detail.path} is listed in the manifest but missing from the bag.")
        elif isinstance(detail, bagit.UnexpectedFile):
            sentences.append(f"{detail.path} is in the payload but not in the manifest.")
        else:
            sentences.append(str(detail))
    if not sentences:
        sentences.append(f"{exc.message}." if not str(exc.message).endswith(".") else str(exc.message))
    return "The bag failed validation and nothing was imported: " + " ".join(sentences)


def read(root: Path, bag: bagit.Bag) -> ReadBag:
    """Read bag.json and each asset.json, checking they name only files the manifest vouches for and terms
    this DAM has."""
    manifest = {path.replace("\\", "/") for path in bag.payload_entries()}
    info = _json(root / "data" / layout.BAG_JSON, layout.BAG_JSON)
    if info.get("format") != layout.FORMAT:
        raise BagRefused(f"data/{layout.BAG_JSON} says format {info.get('format')!r}; this DAM reads "
                         f"{layout.FORMAT!r} bags.")
    records = []
    for uid in info.get("assets", []):
        name = f"{uid}/{layout.ASSET_JSON}"
        if f"data/{name}" not in manifest:
            raise BagRefused(f"data/{layout.BAG_JSON} names asset {uid} but data/{name} is not in the bag.")
        record = _json(root / "data" / name, f"data/{name}")
        _check_record(record, uid, f"data/{name}")
        for version in record["versions"]:
            path = f"data/{version.get('path')}"
            if path not in manifest:
                raise BagRefused(f"data/{name} names {path}, which is not in the bag's manifest.")
            if bag.entries[path].get("sha256") != version.get("sha256"):
                raise BagRefused(f"{path} is not the file data/{name} describes (its SHA-256 differs).")
        records.append(record)
    uris = sorted({t["uri"] for record in records for t in record.get("terms", [])})
    terms = {term.uri: term for term in Term.objects.filter(uri__in=uris)}
    missing = [uri for uri in uris if uri not in terms]
    if missing:
        raise BagRefused(f"The bag names {len(missing)} term{'s' if len(missing) > 1 else ''} this DAM does not "
                         f"have: {', '.join(missing[:10])}. Import the vocabulary first.")
    return ReadBag(root=root, info=info, assets=records, terms=terms)


# What restore needs of each record, with the type it must have (the rest is optional).
ASSET_KEYS = {"uid": str, "title": str, "versions": list}
VERSION_KEYS = {"number": int, "path": str, "original_filename": str, "sha256": str, "size": int, "mime_type": str}


def _check_record(record: dict[str, Any], uid: Any, name: str) -> None:
    problems = [f"“{key}” should be {kind.__name__}" for key, kind in ASSET_KEYS.items()
                if not isinstance(record.get(key), kind)]
    if not problems and record["uid"] != str(uid):
        problems.append(f"its uid {record['uid']} is not the {uid} that bag.json names")
    if not problems:
        try:
            uuid.UUID(record["uid"])
        except ValueError:
            problems.append(f"“uid” {record['uid']!r} is not a uuid")
    for version in record.get("versions") or []:
        if not isinstance(version, dict):
            problems.append("a version is not an object")
            continue
        problems += [f"version {version.get('number', '?')}: “{key}” should be {kind.__name__}"
                     for key, kind in VERSION_KEYS.items() if not isinstance(version.get(key), kind)]
    terms = record.get("terms", [])
    if not isinstance(terms, list) or not all(isinstance(t, dict) and isinstance(t.get("uri"), str) for t in terms):
        problems.append("“terms” should be a list of objects with a “uri”")
    if problems:
        raise BagRefused(f"{name} cannot be restored: {'; '.join(problems[:5])}.")


def existing_uids(read_bag: ReadBag) -> list[str]:
    uids = [record["uid"] for record in read_bag.assets]
    return sorted(str(uid) for uid in Asset.objects.filter(uid__in=uids).values_list("uid", flat=True))


def _json(path: Path, name: str) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BagRefused(f"{name} is missing from the bag.") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise BagRefused(f"{name} is not readable JSON: {exc}.") from None
    if not isinstance(value, dict):
        raise BagRefused(f"{name} should hold a JSON object.")
    return value
