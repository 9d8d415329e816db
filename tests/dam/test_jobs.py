"""The ORM broker's wake-up: a queued job wakes the listening pusher once its row is committed."""
from __future__ import annotations

import socket
from pathlib import Path

import pytest
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ

from dam import jobs


@pytest.fixture
def broker(db, tmp_path, monkeypatch):
    # Each test's sockets in a folder of its own, so no running cluster on this machine hears them.
    monkeypatch.setattr(jobs.tempfile, "gettempdir", lambda: str(tmp_path))
    broker = jobs.WakingORMBroker(list_key="wake-test")
    yield broker
    if broker._listener is not None:
        broker._listener.close()


def pending(listener: socket.socket) -> int:
    """How many wake-ups wait on the socket, taking them."""
    listener.setblocking(False)
    count = 0
    while True:
        try:
            listener.recv(16)
        except BlockingIOError:
            return count
        count += 1


def test_a_queued_job_wakes_the_pusher_only_once_its_row_is_committed(broker, django_capture_on_commit_callbacks):
    listener = broker._listening()
    assert listener is not None
    with django_capture_on_commit_callbacks(execute=True) as after_commit:
        broker.enqueue("job")
        assert pending(listener) == 0  # woken now, the pusher would find no row and sleep again
    assert len(after_commit) == 1
    assert pending(listener) == 1


def test_the_pusher_claims_a_queued_job_and_otherwise_waits_for_a_wake_up(broker, monkeypatch):
    listener = broker._listening()
    pk = broker.enqueue("job")
    assert broker.dequeue() == [(pk, "job")]
    assert OrmQ.objects.get(pk=pk).lock > timezone.now()  # locked until the retry time
    # The queue is empty now: one wait takes the three wake-ups already sent. Had dequeue slept
    # the poll instead of waiting on the socket, they would still be there.
    monkeypatch.setattr(Conf, "POLL", 5)
    for _ in range(3):
        jobs.wake_pushers()
    assert broker.dequeue() is None
    assert pending(listener) == 0


def test_a_claimed_job_is_not_claimed_again(broker):
    pk = broker.enqueue("job")
    assert broker.dequeue() == [(pk, "job")]
    assert broker._claim() == []


def test_a_socket_whose_process_ended_is_removed_when_a_job_is_queued(broker, tmp_path):
    folder = jobs.wake_up_folder(create=True)
    stale = folder / f"999999{jobs.SUFFIX}"
    ended = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ended.bind(str(stale))
    ended.close()  # the file stays, as it does when a pusher is stopped by os._exit
    listener = broker._listening()
    jobs.wake_pushers()
    assert not stale.exists()
    assert pending(listener) == 1


@pytest.mark.parametrize("why", ["no folder", "another user's folder"])
def test_without_a_socket_the_broker_polls(broker, tmp_path, monkeypatch, why):
    # Polling only, as django-q2's ORM broker does.
    if why == "no folder":
        monkeypatch.setattr(jobs.tempfile, "gettempdir", lambda: str(tmp_path / "missing" / "deeper"))
    else:
        monkeypatch.setattr(jobs.os, "getuid", lambda: 4242)  # the folder exists, but is not "ours"
    monkeypatch.setattr(Conf, "POLL", 0.01)
    assert broker._listening() is None
    pk = broker.enqueue("job")  # and queueing still works, with nobody to wake
    assert broker.dequeue() == [(pk, "job")]
    assert broker.dequeue() is None


def test_a_stopping_pusher_removes_its_socket_and_the_folder_once_no_other_listens(broker):
    listener = broker._listening()
    mine = Path(listener.getsockname())
    other = mine.with_name(f"1{jobs.SUFFIX}")
    other.touch()  # another cluster on the same database
    jobs._stop_listening(mine)
    assert not mine.exists() and other.exists()
    other.unlink()
    jobs._stop_listening(mine)
    assert not jobs.wake_up_folder().exists()
