"""manage.py restore_backup IN [--force]: a backup made by `backup` into an empty, migrated DAM."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.backup import services
from archive.backup.errors import BackupRefused


class Command(BaseCommand):
    help = ("Restore a backup made by `manage.py backup` into this empty, migrated database and its storages: "
            "every object is checked against its SHA-256 before the database is touched, and the database is "
            "loaded in one transaction. Refuses, restoring nothing, a database that holds users or assets "
            "(unless --force), a backup taken at other migrations, or an object that fails its checksum.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", metavar="IN", help="The backup: its folder, or its .tar or .zip file.")
        parser.add_argument("--force", action="store_true",
                            help="Wipe a database that holds data, and write over stored objects whose bytes "
                                 "differ from the backup's.")

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["source"])
        progress = self.stderr.write if options["verbosity"] > 0 else services._quiet
        try:
            report = services.backup_restore(source, force=options["force"], progress=progress)
        except BackupRefused as exc:
            raise CommandError(str(exc)) from None
        except OSError as exc:  # the backup itself: no permission to read it, a disk error
            raise CommandError(f"Nothing was restored: {exc.strerror or exc}"
                               f"{f' ({exc.filename})' if exc.filename else ''}.") from None
        self.stdout.write(f"Restored {source}: {report.rows} database rows, {report.assets_indexed} assets "
                          f"indexed for search, {report.objects_written} objects written and "
                          f"{report.objects_in_place} already in place ({report.bytes / 1e6:.1f} MB), every one "
                          "matching its SHA-256.")
        if report.carried_problems:
            self.stderr.write(f"The backup was incomplete: {len(report.carried_problems)} objects were already "
                              "missing or unreadable when it was taken, and are missing here too:")
            for problem in report.carried_problems:
                self.stderr.write(f"  {problem['storage']}: {problem['key']}: {problem['problem']}")
