"""Background jobs of ingest. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

from ingest import services


def archive_unpack_task(unpacking_id: int) -> str | None:
    unpacking = services.archive_unpack(unpacking_id=unpacking_id)
    return unpacking.state if unpacking else None
