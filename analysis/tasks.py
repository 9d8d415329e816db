"""Background jobs. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

import socket

from analysis.services import runs


def analyse_task(run_id: int) -> str:
    run = runs.analysis_run(run_id=run_id)
    return run.status if run else "nothing to do"


def analysis_recover_task() -> int:
    """Every five minutes (a django-q2 schedule): analyses still running long after their time limit."""
    return runs.analysis_recover()


def worker_stopped(*, pid: int, exitcode: int | None, timed_out: bool) -> None:
    """The cluster's sentinel saw a worker die or overrun (dam.jobs): its analysis is tried again or failed."""
    runs.worker_stopped(worker=f"{socket.gethostname()}:{pid}", exitcode=exitcode, timed_out=timed_out)
