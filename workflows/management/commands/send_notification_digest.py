"""Email each daily-digest user what they have not been emailed yet; run it once a day (cron or a q2 schedule)."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from workflows import services


class Command(BaseCommand):
    help = "Send the daily notification digest to users who chose it."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.notifications_send_digest()
        self.stdout.write(f"Sent {sent} digest email(s).")
