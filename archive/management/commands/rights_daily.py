"""Run the daily rights job now: reminders before expiry and each collection's expiry action."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from archive.rights import services


class Command(BaseCommand):
    help = "Send rights expiry reminders due now and apply the expiry action of assets whose rights expired."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = services.rights_daily()
        self.stdout.write(f"{counts['reminders']} reminder(s) sent; {counts['expired']} expired asset(s) handled, "
                          f"{counts['archived']} of them archived.")
