"""Background jobs of search. Each takes ids (or nothing), calls a service, and is safe to run twice."""
from __future__ import annotations

from django.conf import settings

from search import services


def saved_searches_notify_task() -> int:
    """Hourly (a django-q2 schedule): e-mail owners about new matches of their saved searches."""
    return services.saved_searches_notify(actor=None, base_url=settings.DAM_BASE_URL)


def search_events_purge_task() -> int:
    """Daily (a django-q2 schedule): delete recorded searches past their keeping time."""
    return services.search_events_purge()
