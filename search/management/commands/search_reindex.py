"""Rebuild the search index of every asset (after a bulk load that bypassed the services)."""
from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from assets.models import Asset
from search import expansion, index


class Command(BaseCommand):
    help = ("Rewrite the search documents and colour rows of all assets, drop the cached vocabulary, then rebuild "
            "the full-text indexes tight.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch", type=int, default=5000,
                            help="assets per transaction (default 5000)")
        parser.add_argument("--no-compact", action="store_true",
                            help="skip rebuilding the full-text indexes tight at the end")

    def handle(self, *args: Any, **options: Any) -> None:
        expansion.invalidate()
        # One transaction per batch, not one for the whole library: a million assets took 29 minutes in a
        # single transaction, holding its locks and showing nothing. Writers keep their own assets' rows
        # current meanwhile (search.signals), so a batch never undoes a newer change.
        ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
        batch = max(1, options["batch"])
        count = 0
        with tqdm(total=len(ids), unit="asset", file=sys.stderr, disable=options["verbosity"] == 0) as progress:
            for start in range(0, len(ids), batch):
                chunk = ids[start:start + batch]
                count += index.reindex_assets(chunk)
                progress.update(len(chunk))
        if not options["no_compact"]:
            index.compact()
        self.stdout.write(f"Indexed {count} assets.")
