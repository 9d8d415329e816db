"""manage.py sweep_orphans [--dry-run]: stored files no row points to, and rows whose file is missing."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.defaultfilters import filesizeformat

from assets import sweep


class Command(BaseCommand):
    help = ("Compare the file store with the database: remove stored files no row points to (older than an "
            "hour), make again renditions whose file is missing, and list assets whose original is missing.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List what would be done; change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        report = sweep.sweep(dry_run=options["dry_run"])
        verb = "would be removed" if options["dry_run"] else "removed"
        for key in report.orphans:
            self.stdout.write(f"orphan  {key}")
        for uid in report.missing_originals:
            self.stdout.write(f"missing original of asset {uid}")
        self.stdout.write(f"{report.checked} stored files checked; {len(report.orphans)} orphan(s) {verb}"
                          + (f" ({filesizeformat(report.bytes_freed)})" if report.bytes_freed else "")
                          + f"; {len(report.missing_originals)} original(s) missing; "
                          f"{report.missing_renditions} rendition(s) missing"
                          + ("" if options["dry_run"] else " (made again)") + ".")
