"""manage.py tier_moves [--retry-failed]: moves of originals to and from the archive tier that are not done."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from archive.models import TierMove
from archive.tier import selectors, services


class Command(BaseCommand):
    help = ("List the moves of originals to or from the archive tier that are queued, running or failed, with "
            "the reason of each failure; --retry-failed queues the failed ones again. Exits 1 while any failed "
            "move is left.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retry-failed", action="store_true",
                            help="Try every failed move again (after making room or fixing the bucket).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["retry_failed"]:
            count = services.tier_moves_retry_failed(actor=None)
            self.stdout.write(f"{count} failed move(s) queued again.")
        moves = selectors.moves_not_done()
        for move in moves:
            where = "to the archive tier" if move.target == "archive" else "back from the archive tier"
            line = f"{move.asset.uid}  {move.get_state_display().lower():6}  {where}  “{move.asset.title}”"
            self.stdout.write(line + (f": {move.reason}" if move.reason else ""))
        failed = sum(move.state == TierMove.State.FAILED for move in moves)
        self.stdout.write(f"{len(moves)} move(s) not done, {failed} failed.")
        if failed:
            raise SystemExit(1)
