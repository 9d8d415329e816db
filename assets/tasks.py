"""Background jobs. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

from assets import services


def rendition_generate_task(version_id: int, preset: str) -> str:
    rendition = services.rendition_generate(version_id=version_id, preset=preset)
    return rendition.status if rendition else "gone"
