"""manage.py export_bag ASSET_UID_OR_COLLECTION OUT.zip: a BagIt package (RFC 8493), zipped."""
from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.bags import services
from archive.bags.export import MissingOriginal
from assets.models import Asset, Collection


class Command(BaseCommand):
    help = ("Package an asset (by uid) or a collection (id, or path of names such as Library/Campaigns) as a "
            "zipped BagIt bag: every version's original, the approved renditions, metadata, terms, rights, review "
            "history and audit events, with SHA-256 manifests. Runs as the system: everything is included.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("subject", help="An asset uid, a collection id, or a collection path (Library/Campaigns).")
        parser.add_argument("out", help="The zip file to write.")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        if out.suffix.lower() != ".zip":
            raise CommandError(f"{out} should end in .zip: the bag is written as a zip archive.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        asset, collection = self._subject(options["subject"])
        try:
            report = services.bag_export_to_file(out, asset=asset, collection=collection)
        except MissingOriginal as exc:
            raise CommandError(f"No bag was written: {exc}.") from None
        self.stdout.write(f"Wrote {out}: {report['assets']} assets, {report['versions']} versions, "
                          f"{report['size']:,} bytes (Payload-Oxum {report['oxum']}).")

    @staticmethod
    def _subject(value: str) -> tuple[Asset | None, Collection | None]:
        try:
            uid = uuid.UUID(value)
        except ValueError:
            pass
        else:
            asset = Asset.objects.filter(uid=uid).first()
            if asset is None:
                raise CommandError(f"No asset has the uid {value}.")
            return asset, None
        found = None
        if value.isdigit():
            found = Collection.objects.filter(pk=int(value)).first()
        else:
            for name in [part for part in value.split("/") if part]:
                found = Collection.objects.filter(parent=found, name__iexact=name).first()
                if found is None:
                    break
        if found is None:
            raise CommandError(f"{value!r} is neither an asset uid nor a collection.")
        return None, found
