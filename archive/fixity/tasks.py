"""Fixity jobs (django-q2). They take ids, never model instances, and are safe to run twice."""
from __future__ import annotations

from django.db import transaction
from django_q.tasks import async_task

from archive.fixity import services
from archive.models import FixityRun
from dam.errors import StateConflict

# Each job reads for at most this long, then queues the next slice: well within the cluster's task
# timeout (300 s) and its retry (360 s), after which the broker would hand the same job out again.
SLICE_SECONDS = 120


def fixity_scheduled_task() -> int | None:
    """Weekly (a django-q2 schedule): a run over the whole store. None if one is already running."""
    try:
        run = services.fixity_run_start(actor=None, trigger=FixityRun.Trigger.SCHEDULE)
    except StateConflict:
        return None
    queue_continue(run.pk)
    return run.pk


def fixity_continue_task(run_id: int) -> bool:
    """Go on with a run for one slice; queue the next slice until it has ended."""
    ended = services.fixity_run_continue(run_id=run_id, budget=SLICE_SECONDS)
    if not ended:
        queue_continue(run_id)
    return ended


def queue_continue(run_id: int) -> None:
    """Queue the run's next slice once the current transaction (if any) has committed."""
    transaction.on_commit(lambda: async_task("archive.fixity.tasks.fixity_continue_task", run_id,
                                             task_name=f"fixity-run-{run_id}", group="fixity"))
