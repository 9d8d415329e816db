"""`manage.py qcluster` stops when its whole process group is sent SIGTERM (make run's Ctrl-C, systemd), after
finishing the job in hand, instead of hanging until SIGKILL (dam.jobs.GracefulSentinel)."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time

import pytest

from tests.assets.test_workers_and_s3 import MANAGE, ROOT, end_session, worker_database, worker_env  # noqa: F401


def task_results(url: str) -> list[tuple[str, bool]]:
    query = "SELECT name, success FROM django_q_task"
    if url.startswith("sqlite:///"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as db:
            return [(name, bool(success)) for name, success in db.execute(query).fetchall()]
    import psycopg
    with psycopg.connect(url) as db:
        return [(name, bool(success)) for name, success in db.execute(query).fetchall()]


@pytest.mark.slow
def test_sigterm_to_the_group_finishes_the_job_in_hand_and_stops(tmp_path, worker_database):  # noqa: F811
    env = worker_env(tmp_path, worker_database)
    cluster = subprocess.Popen([*MANAGE, "qcluster"], env=env, cwd=ROOT,  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(4)  # the cluster starts its processes
        subprocess.run([*MANAGE, "shell", "-c", "from django_q.tasks import async_task; "  # noqa: S603
                        "async_task('time.sleep', 3, task_name='the job in hand')"],
                       env=env, cwd=ROOT, check=True, timeout=60)
        time.sleep(1.5)  # a worker has taken it
        os.killpg(cluster.pid, signal.SIGTERM)
        cluster.wait(timeout=60)  # hung until SIGKILL before: this would raise TimeoutExpired
        with pytest.raises(ProcessLookupError):
            os.killpg(cluster.pid, 0)  # nothing of the cluster is left
        assert task_results(worker_database) == [("the job in hand", True)]
    finally:
        end_session(cluster.pid)
