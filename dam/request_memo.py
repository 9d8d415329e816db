"""Facts computed once per web request and forgotten when it ends.

A search page asks the same questions several times (which folders may this user
see? which vocabulary generation is current?), from code that does not share
objects: the asset list, the filter form, the facet counts. Each answer is one
small query; remembering it for the rest of the request turns repeats into
dictionary lookups and lets the permission rule carry plain ids instead of
subqueries.

Nothing is kept outside a request (jobs, commands, the shell) unless the caller
opens a `scope()`; and any write that could change a remembered answer calls
`forget()` (see accounts.apps), so a request that changes a grant sees the change
in the same request. Memory is per thread, as a WSGI request is.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.core.signals import request_finished, request_started

T = TypeVar("T")
_local = threading.local()


def remember(key: Any, compute: Callable[[], T]) -> T:
    """`compute()` once per request for `key`; computed afresh every time outside one."""
    store: dict[Any, Any] | None = getattr(_local, "store", None)
    if store is None:
        return compute()
    if key not in store:
        store[key] = compute()
    return store[key]


def forget(*_: Any, **__: Any) -> None:
    """Drop everything remembered in this thread's request (usable as a signal receiver)."""
    store = getattr(_local, "store", None)
    if store is not None:
        store.clear()


@contextmanager
def scope() -> Iterator[None]:
    """Remember within the block, as a request does (for work done outside one: benchmarks, batch jobs)."""
    outer = getattr(_local, "store", None)
    _local.store = {}
    try:
        yield
    finally:
        _local.store = outer


def _began(**_: Any) -> None:
    _local.store = {}


def _ended(**_: Any) -> None:
    _local.store = None


def connect() -> None:
    request_started.connect(_began, dispatch_uid="dam.request_memo.began")
    request_finished.connect(_ended, dispatch_uid="dam.request_memo.ended")
