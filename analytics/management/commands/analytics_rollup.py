"""Roll up the download and search events of the days that are over: what the hourly job does, now, with no time
limit; `--since DATE` rolls the days from DATE again (a backfill)."""
from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics import rollups


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--since wants a date as YYYY-MM-DD, not {value!r}.") from None


class Command(BaseCommand):
    help = ("Roll up the download and search events of every day that is over and not rolled up yet "
            "(with --since DATE, every day from DATE again) for the analytics report.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", type=str, help="roll up again every day from this date (YYYY-MM-DD)")

    def handle(self, *args: Any, **options: Any) -> None:
        since = _date(options["since"]) if options["since"] else None
        if since is not None and since > rollups.last_closed_day():
            raise CommandError(f"{since} is not over yet; only days that are over are rolled up.")
        started = time.monotonic()
        rolled = rollups.catch_up(since=since)
        self.stdout.write(f"Rolled up {rolled['downloads']} day(s) of downloads and {rolled['searches']} day(s) of "
                          f"searches in {time.monotonic() - started:.1f} s.")
