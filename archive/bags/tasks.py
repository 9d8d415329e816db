"""Background jobs for BagIt exports. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

from archive.bags import services


def bag_export_task(export_id: int) -> str:
    job = services.bag_export_run(export_id=export_id)
    return job.state if job is not None else "skipped"


def bag_exports_expire_task() -> int:
    """Hourly (a django-q2 schedule): remove the files of bags past their download expiry."""
    return services.bag_exports_expire()
