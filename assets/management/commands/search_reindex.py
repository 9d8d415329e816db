"""Rebuild the search index of every asset (after a bulk load that bypassed the services)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from assets.search import expansion, index


class Command(BaseCommand):
    help = "Rewrite the search documents and colour rows of all assets, and drop the cached vocabulary."

    def handle(self, *args: Any, **options: Any) -> None:
        expansion.invalidate()
        count = index.reindex_all()
        self.stdout.write(f"Indexed {count} assets.")
