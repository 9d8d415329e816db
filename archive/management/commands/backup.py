"""manage.py backup OUT [--no-files]: the whole DAM, database and stored objects, into one backup."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.backup import services
from archive.backup.errors import BackupRefused
from archive.fixity.reading import StoreError


class Command(BaseCommand):
    help = ("Back up the whole DAM: every database row, the migrations it was taken at, and a manifest of every "
            "stored object (originals in both tiers, renditions, release documents, watermarks, ...) with its "
            "size and SHA-256, with the objects themselves unless --no-files. OUT is a folder, or a .tar or .zip "
            "file. Exit status 1 when an object could not be read (the backup is marked incomplete). "
            "Restore with restore_backup; see docs/backup.md.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="Where to write: a new or empty folder, or a file ending in .tar or .zip.")
        parser.add_argument("--no-files", action="store_true",
                            help="Leave the objects out and keep only their manifest (for S3 buckets with their "
                                 "own versioning or replication).")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        progress = self.stderr.write if options["verbosity"] > 0 else services._quiet
        try:
            report = services.backup_take(out, include_files=not options["no_files"], progress=progress)
        except (BackupRefused, StoreError) as exc:
            raise CommandError(f"No backup was written: {exc}") from None
        except OSError as exc:  # where the backup goes: no room, no permission
            raise CommandError(f"No backup was written: {exc.strerror or exc}"
                               f"{f' ({exc.filename})' if exc.filename else ''}.") from None
        what = "objects copied" if report.files_included else "objects listed (files left out)"
        self.stdout.write(f"Backup written to {out}: {report.rows} database rows, {report.objects} {what}, "
                          f"{report.bytes / 1e6:.1f} MB.")
        if not report.complete:
            for problem in report.problems:
                self.stderr.write(f"  {problem['storage']}: {problem['key']}: {problem['problem']}")
            raise CommandError(f"The backup is incomplete: {len(report.problems)} stored "
                               f"object{'s' if len(report.problems) != 1 else ''} could not be read (listed above "
                               "and in its manifest).")
