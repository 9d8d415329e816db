"""Background jobs of the vocabulary. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

from taxonomy import import_jobs


def vocabulary_import_task(job_id: int) -> str | None:
    job = import_jobs.vocabulary_import_run(job_id=job_id)
    return job.state if job is not None else None
