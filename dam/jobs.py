"""django-q2's ORM broker (the embedded default), woken when a job is queued instead of only polling.

On its own the ORM broker finds new jobs by polling the queue table: an upload's renditions
waited half a poll on average before they began, plus, while SQLite connections were closed
after each use, a reconnect before each poll (34-50 ms a job at a 50 ms poll, measured with
bench/ingest.py). Here the cluster's
pusher, the one process that takes jobs off the queue, also listens on a Unix datagram socket
of its own, in a folder named after the queue's database. Whoever queues a job sends every
socket there one byte once the job's row is committed, and the pusher looks at once.

The poll stays, much longer, as the safety net: for jobs queued where no socket can be reached
(another machine, another user's folder) and for jobs whose lock ran out and wait for a retry.
A lost wake-up only costs a poll. With DAM_REDIS_URL, django-q2's Redis broker blocks on the
list instead, and none of this is used.
"""
from __future__ import annotations

import contextlib
import hashlib
import logging
import multiprocessing.util
import os
import signal
import socket
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q import cluster
from django_q.brokers.orm import ORM
from django_q.conf import Conf

logger = logging.getLogger(__name__)

SUFFIX = ".sock"


class WakingORMBroker(ORM):
    _listener: socket.socket | None = None
    _listener_pid = 0

    def enqueue(self, task: str) -> int:
        pk = super().enqueue(task)
        # After the commit: woken earlier, the pusher would not see the row yet and go back to sleep.
        transaction.on_commit(wake_pushers, using=Conf.ORM)
        return pk

    def dequeue(self) -> list[tuple[int, str]] | None:
        listener = self._listening()
        if listener is None:
            return super().dequeue()  # claims, or sleeps a poll when the queue is empty
        if claimed := self._claim():
            return claimed
        _wait_for_wake_up(listener, timeout=Conf.POLL)
        return None

    def _claim(self) -> list[tuple[int, str]]:
        """The queued jobs this cluster locked, as django-q2's ORM broker takes them (without its sleep)."""
        queued = self.get_connection().filter(key=self.list_key, lock__lt=timezone.now())[:Conf.BULK]
        # Only the cluster whose update matched the old lock gets a job: another may have been faster.
        return [(job.pk, job.payload) for job in queued
                if self.get_connection().filter(pk=job.pk, lock=job.lock).update(lock=self.timeout(job))]

    def _listening(self) -> socket.socket | None:
        """This process's wake-up socket, bound on first use; None (polling only) when it cannot be."""
        if self._listener_pid != os.getpid():  # first call, or a process forked from the one that bound it
            self._listener_pid = os.getpid()
            self._listener = None
            listener = None
            try:
                listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                path = _bind(listener)
            except OSError as exc:  # a folder that is not ours, a path too long, no Unix sockets here
                if listener is not None:
                    listener.close()
                logger.warning("Background jobs: no wake-up socket (%s); polling every %s s.", exc, Conf.POLL)
                return None
            self._listener = listener
            # When the pusher returns (a cluster stopping), not when it is killed: then the next
            # wake_pushers() removes the file.
            multiprocessing.util.Finalize(None, _stop_listening, args=(path,), exitpriority=0)
        return self._listener


def _bind(listener: socket.socket) -> Path:
    path = wake_up_folder(create=True) / f"{os.getpid()}{SUFFIX}"
    path.unlink(missing_ok=True)  # left by an earlier process with this pid
    try:
        listener.bind(str(path))
    except FileNotFoundError:  # the last cluster to stop removed the folder just after it was made
        wake_up_folder(create=True)
        listener.bind(str(path))
    return path


def _stop_listening(path: Path) -> None:
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        path.parent.rmdir()  # only when empty, that is when no other cluster on this database listens


def _wait_for_wake_up(listener: socket.socket, timeout: float) -> None:
    """Return on the first wake-up (dropping any others already waiting) or after `timeout` seconds."""
    listener.settimeout(timeout)
    try:
        listener.recv(16)
    except TimeoutError:
        return
    listener.setblocking(False)
    with contextlib.suppress(BlockingIOError):
        while True:
            listener.recv(16)


def wake_pushers() -> None:
    """Tell every listening cluster on this machine that a job was queued. Never raises."""
    try:
        listening = [entry.path for entry in os.scandir(wake_up_folder()) if entry.name.endswith(SUFFIX)]
        sender = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) if listening else None
    except OSError:
        return  # no cluster has listened here (or no Unix sockets): they poll
    if sender is None:
        return
    with sender:
        sender.setblocking(False)
        for path in listening:
            try:
                sender.sendto(b"!", path)
            except (ConnectionRefusedError, FileNotFoundError):
                # Its process ended without removing it (killed).
                with contextlib.suppress(OSError):
                    os.unlink(path)
            except OSError:
                pass  # BlockingIOError: wake-ups are already waiting there; anything else: the poll finds the job


def wake_up_folder(create: bool = False) -> Path:
    """Where the pushers of clusters sharing this queue's database listen: one folder per database."""
    db = settings.DATABASES[Conf.ORM or "default"]
    identity = "|".join(str(db.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME"))
    # In the temporary folder, not DAM_DATA_DIR: a socket's path must stay under ~100 bytes.
    folder = Path(tempfile.gettempdir()) / f"dam-jobs-{hashlib.sha256(identity.encode()).hexdigest()[:16]}"
    if create:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.stat().st_uid != os.getuid():
            # Made by someone else: their sockets could stand in for ours. Poll instead.
            raise PermissionError(f"{folder} belongs to another user")
    return folder


# --- stopping the cluster --------------------------------------------------------------------------

# Called, in the sentinel, when a worker process died or overran its task time limit, with its pid, exit code
# (negative: the signal that killed it) and whether it timed out. Apps above register what they do then
# (assets: the renditions that worker was making run again at once); dam imports no app.
worker_stopped_hooks: list[Callable[..., None]] = []


class GracefulSentinel(cluster.Sentinel):
    """django-q2's sentinel, made to stop cleanly when the whole process group is sent SIGTERM.

    That is how `make run`'s Ctrl-C, `kill -- -PGID` and systemd stop a service. django-q2 lets the
    sentinel and its workers die on SIGTERM; a sentinel killed while waiting on the cluster's stop
    event leaves that event's lock waiting for it, and the main process then hung in `Event.set()`
    until SIGKILL. Here the sentinel and the processes it forks (workers, pusher, monitor) ignore
    SIGTERM: the main process's handler sets the stop event, the sentinel stops the pusher, each
    worker finishes the job in hand, and the cluster exits. A worker still busy after the task
    timeout is killed; its job was never acknowledged, so the broker hands it out again.
    """

    def start(self) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # inherited by every process forked below
        super().start()

    def stop(self) -> None:
        deadline = threading.Timer(Conf.TIMEOUT or 30, self._kill_busy_workers)
        deadline.daemon = True
        deadline.start()
        try:
            super().stop()
        finally:
            deadline.cancel()

    def reincarnate(self, process: Any) -> None:
        if process in self.pool:
            timed_out = process.timer.value == 0
            for hook in worker_stopped_hooks:
                try:
                    hook(pid=process.pid, exitcode=process.exitcode, timed_out=timed_out)
                except Exception:  # the sentinel must live on whatever a hook does
                    logger.exception("A hook on the death of worker %s failed.", process.pid)
        super().reincarnate(process)

    def _kill_busy_workers(self) -> None:
        for process in list(self.pool):
            if process.is_alive():
                logger.warning("Killing worker %s, still busy a task timeout after the cluster was asked to stop; "
                               "its job will be handed out again.", process.pid)
                process.kill()  # SIGKILL: the workers ignore SIGTERM


def use_graceful_sentinel() -> None:
    """Make `manage.py qcluster` start GracefulSentinel (django-q2 looks the class up when it starts)."""
    cluster.Sentinel = GracefulSentinel  # type: ignore[misc]
