"""manage.py import_assets PATH [--collection C] [--manifest metadata.csv]: a folder or an archive, one batch."""
from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from accounts.models import User
from assets.models import Collection
from ingest import services
from ingest.models import IngestBatch, IngestItem, OnDuplicate

MANIFEST_FIELDS = {"title", "description", "keywords", "creator", "licence", "rights_holder", "usage_terms",
                   "campaign"}


class Command(BaseCommand):
    help = ("Import a folder (recursively) or a zip/tar archive as one ingest batch, with a progress bar and a "
            "per-file report. Exit status 1 when any file was rejected.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="A folder, a single file, or a zip / tar archive.")
        parser.add_argument("--collection", help="Collection id or path of names (Library/Campaigns/2026). "
                                                 "Default: the Library.")
        parser.add_argument("--manifest", help="CSV with a 'filename' column and any of: "
                                               + ", ".join(sorted(MANIFEST_FIELDS)) + ". Keywords split on ';'.")
        parser.add_argument("--user", help="Import as this user (their permissions apply); default: the system.")
        parser.add_argument("--on-duplicate", choices=OnDuplicate.values, default=OnDuplicate.REPORT)

    def handle(self, *args: Any, **options: Any) -> None:
        root = Path(options["path"])
        if not root.exists():
            raise CommandError(f"{root} does not exist.")
        actor = self._user(options["user"])
        collection = self._collection(options["collection"])
        manifest = read_manifest(Path(options["manifest"])) if options["manifest"] else {}
        paths = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()) if root.is_dir() else [root]
        skipped = sorted(p for p in root.rglob("*") if p.is_symlink()) if root.is_dir() else []
        batch = services.batch_create(actor=actor, collection=collection, on_duplicate=options["on_duplicate"],
                                    source=IngestBatch.Source.IMPORT)
        items: list[IngestItem] = []
        with tqdm(paths, unit="file", file=sys.stderr, disable=options["verbosity"] == 0) as progress:
            for path in progress:
                progress.set_postfix_str(path.name[:40])
                relative = str(path.relative_to(root)) if root.is_dir() else path.name
                with open(path, "rb") as fh:
                    # Archives are unpacked here, with the progress bar: whoever runs the command waits for it.
                    added = services.batch_add_file(batch=batch, fileobj=fh, filename=path.name, actor=actor,
                                                    fields=manifest.get(relative) or manifest.get(path.name),
                                                    manifest=manifest, entry=relative if root.is_dir() else "")
                items.extend(result.item for result in added.results)
        self._report(batch, items, skipped)
        if any(item.outcome == IngestItem.Outcome.REJECTED for item in items):
            sys.exit(1)

    def _report(self, batch: IngestBatch, items: list[IngestItem], skipped: list[Path]) -> None:
        width = min(max([len(self._name(i)) for i in items] + [10]), 60)
        for item in items:
            name = self._name(item).ljust(width)
            if item.outcome == IngestItem.Outcome.CREATED and item.asset:
                line = self.style.SUCCESS(f"created      {name}  {item.asset.uid}  {item.asset.title}")
            elif item.outcome == IngestItem.Outcome.NEW_VERSION and item.asset:
                line = self.style.SUCCESS(f"new version  {name}  {item.asset.uid}  {item.reason}")
            elif item.outcome == IngestItem.Outcome.DUPLICATE:
                target = f"{item.duplicate_of.uid}  {item.duplicate_of.title}" if item.duplicate_of else item.reason
                line = self.style.WARNING(f"duplicate    {name}  of {target}")
            else:
                line = self.style.ERROR(f"rejected     {name}  {item.reason}")
            self.stdout.write(line)
        for path in skipped:
            self.stdout.write(self.style.WARNING(f"not followed {path}  (symbolic link)"))
        counts = {o: sum(1 for i in items if i.outcome == o) for o in IngestItem.Outcome.values}
        self.stdout.write(f"Batch {batch.pk}: {len(items)} files: " + ", ".join(
            f"{n} {o.replace('_', ' ')}" for o, n in counts.items()))

    @staticmethod
    def _name(item: IngestItem) -> str:
        return f"{item.archive}:{item.entry}" if item.archive else (item.entry or item.filename)

    @staticmethod
    def _user(username: str | None) -> User | None:
        if not username:
            return None
        try:
            return User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None

    @staticmethod
    def _collection(value: str | None) -> Collection:
        if not value:
            value = "Library"
        if value.isdigit():
            found = Collection.objects.filter(pk=int(value)).first()
        else:
            found = None
            for name in [part for part in value.split("/") if part]:
                found = Collection.objects.filter(parent=found, name__iexact=name).first()
                if found is None:
                    break
        if found is None:
            raise CommandError(f"No collection {value!r}.")
        return found


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """filename -> asset fields; unknown columns are refused so a typo is not silently ignored."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            columns = set(reader.fieldnames or [])
            if "filename" not in columns:
                raise CommandError(f"{path}: the manifest needs a 'filename' column.")
            unknown = columns - MANIFEST_FIELDS - {"filename"}
            if unknown:
                raise CommandError(f"{path}: unknown manifest columns: {', '.join(sorted(unknown))}.")
            manifest = {}
            for row in reader:
                fields: dict[str, Any] = {k: (v or "").strip() for k, v in row.items() if k != "filename" and v}
                if "keywords" in fields:
                    fields["keywords"] = [k.strip() for k in fields["keywords"].split(";") if k.strip()]
                manifest[(row["filename"] or "").strip()] = fields
            return manifest
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"{path}: cannot read the manifest ({exc}).") from exc
