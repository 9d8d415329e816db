"""manage.py restore_bag IN.zip [--replace]: recreate the assets of a BagIt package made by export_bag."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.bags import services
from archive.bags.restore import BagRefused


class Command(BaseCommand):
    help = ("Validate a zipped BagIt bag fully (every checksum) and recreate its assets with their uids, versions, "
            "terms (matched by URI), rights and history. Exit status 1, and nothing imported, when the bag fails "
            "validation, names a term this DAM lacks, or holds an asset whose uid exists (unless --replace).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("bag", help="The zipped bag.")
        parser.add_argument("--replace", action="store_true",
                            help="Write over assets that already exist with the same uid.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["bag"])
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        try:
            assets = services.bag_restore(zip_path=path, actor=None, replace=options["replace"])
        except BagRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Restored {len(assets)} asset{'s' if len(assets) != 1 else ''} from {path}:")
        for asset in assets:
            self.stdout.write(f"  {asset.uid}  {asset.title}")
