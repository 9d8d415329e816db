"""E-mail owners of saved searches about new matching assets (the worker also does this hourly)."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from search import services


class Command(BaseCommand):
    help = "Send one e-mail per saved search (with notifications on) that has new matching assets."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", default=settings.DAM_BASE_URL,
                            help="for links in the e-mail (default: DAM_BASE_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = services.saved_searches_notify(actor=None, base_url=options["base_url"].rstrip("/"))
        self.stdout.write(f"Sent {sent} e-mail{'s' if sent != 1 else ''}.")
