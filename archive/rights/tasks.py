"""The daily rights job (a django-q2 schedule made by archive/migrations/0003_rights.py)."""
from __future__ import annotations

from archive.rights import services


def rights_daily_task() -> dict[str, int]:
    """Reminders and expiry actions; safe to run twice (each notice is claimed once)."""
    return services.rights_daily()
