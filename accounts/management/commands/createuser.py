from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts import services
from accounts.roles import Role


class Command(BaseCommand):
    help = "Create a user in one role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--password", help="Without one, the account cannot sign in until a password is set.")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = services.user_create(username=options["username"], role=options["role"],
                                        password=options["password"], email=options["email"], actor=None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Created {user.username} ({Role(options['role']).label})."))
