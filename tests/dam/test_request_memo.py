"""dam.request_memo: once per request, never across requests, nothing outside one."""
from __future__ import annotations

from dam import request_memo


def counter():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)
    return compute, calls


def test_outside_a_request_every_call_computes():
    compute, calls = counter()
    assert [request_memo.remember("k", compute) for _ in range(3)] == [1, 2, 3]


def test_within_a_scope_a_key_is_computed_once_until_forgotten():
    compute, calls = counter()
    with request_memo.scope():
        assert [request_memo.remember("k", compute) for _ in range(3)] == [1, 1, 1]
        request_memo.forget()
        assert request_memo.remember("k", compute) == 2
    assert request_memo.remember("k", compute) == 3  # the scope is gone with its block


def test_each_request_starts_empty(client, db):
    from django.core.signals import request_finished, request_started

    compute, calls = counter()
    request_started.send(sender=None)
    assert request_memo.remember("k", compute) == request_memo.remember("k", compute) == 1
    request_finished.send(sender=None)
    request_started.send(sender=None)
    assert request_memo.remember("k", compute) == 2
    request_finished.send(sender=None)
    assert request_memo.remember("k", compute) == 3
