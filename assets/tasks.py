"""Background jobs. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

from django.conf import settings

from assets import services
from assets.search import services as search_services


def renditions_generate_task(version_id: int) -> dict[str, str]:
    return {r.preset: r.status for r in services.renditions_generate(version_id=version_id)}


def saved_searches_notify_task() -> int:
    """Hourly (a django-q2 schedule): e-mail owners about new matches of their saved searches."""
    return search_services.saved_searches_notify(actor=None, base_url=settings.DAM_BASE_URL)
