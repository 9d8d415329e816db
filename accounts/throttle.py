"""Counting failed attempts at a credential (a password, a key), so guessing meets 429 after a few.

Failures are counted per key (the client's address, the account or link under attack) in
fixed windows in the cache: after LIMIT failures within WINDOW seconds on any of its keys a
request is refused until the window ends, whatever it sends. Successes are never counted.
The cache is shared by every process on the machine (a file cache by default; Redis when
scaled out), so the count holds across web processes.
"""
from __future__ import annotations

import time

from django.core.cache import cache
from django.http import HttpRequest

LIMIT = 10
WINDOW = 60


def client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _slot(scope: str, key: str) -> tuple[str, int]:
    window = int(time.time() // WINDOW)
    return f"throttle:{scope}:{key}:{window}", (window + 1) * WINDOW


def retry_after(scope: str, *keys: str) -> int | None:
    """Seconds to wait when any of the keys has failed LIMIT times in this window; None when free."""
    for key in keys:
        name, ends = _slot(scope, key)
        if (cache.get(name) or 0) >= LIMIT:
            return max(1, int(ends - time.time()))
    return None


def failed(scope: str, *keys: str) -> None:
    """Count one failure against each key."""
    for key in keys:
        name, ends = _slot(scope, key)
        if not cache.add(name, 1, timeout=WINDOW + 1):
            try:
                cache.incr(name)
            except ValueError:  # expired between add and incr: start again
                cache.add(name, 1, timeout=WINDOW + 1)
