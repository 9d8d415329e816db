"""How uploads' audit events read."""
from __future__ import annotations

from accounts.audit import register
from ingest.models import IngestBatch, IngestItem, OnDuplicate

DUPLICATES = dict(OnDuplicate.choices)
SOURCES = dict(IngestBatch.Source.choices)
OUTCOMES = dict(IngestItem.Outcome.choices)


def _file_added(v: dict) -> str:
    outcomes = [OUTCOMES.get(o, str(o)).lower() for o in v["data"].get("outcomes") or []]
    said = f" ({', '.join(outcomes)})" if outcomes else ""
    return f"{v['actor']} sent the file “{v['filename']}” to the upload “{v['object']}”{said}"


def register_all() -> None:
    group = "Uploads"
    register("assets.batch.created", "{actor} started the upload “{object}”", label="Upload started", group=group,
             fields=[("source", "From", SOURCES), ("on_duplicate", "Files already in the library", DUPLICATES)])
    register("assets.batch.file_added", _file_added, label="File uploaded", group=group,
             fields=[("filename", "File"), ("items", "Files in it"),
                     ("unpacked_later", "Unpacked in the background", "yesno")])
    register("assets.batch.archive_unpacked", "{actor} unpacked the archive “{archive}” of the upload “{object}”",
             label="Archive unpacked", group=group, fields=[("archive", "Archive"), ("files", "Files")])
    register("assets.batch.archive_failed",
             "{actor} could not unpack the archive “{archive}” of the upload “{object}”",
             label="Archive could not be unpacked", group=group,
             fields=[("archive", "Archive"), ("files", "Files unpacked"), ("error", "Why")])
    register("assets.keywords.matched", "{actor} tagged v{version} of “{object}” from its embedded keywords",
             label="Embedded keywords read", group="Assets",
             fields=[("tagged", "Terms added"), ("proposed", "Proposed as new terms")])
