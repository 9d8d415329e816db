"""E-mail owners of saved searches about new matching assets; run it from cron or a django-q schedule."""
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from assets.search import services


class Command(BaseCommand):
    help = "Send one e-mail per saved search (with notifications on) that has new matching assets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default="", help="e.g. https://dam.example.org, for links in the e-mail")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.saved_searches_notify(actor=None, base_url=options["base_url"].rstrip("/"))
        self.stdout.write(f"Sent {sent} e-mail{'s' if sent != 1 else ''}.")
