"""Counting failed attempts at a credential (a password, a key), so guessing meets 429 after a few.

Failures are counted per key (the client's address, the account or link under attack) in
fixed windows in the cache. A request is refused, whatever it sends, while the current and the
previous window together hold LIMIT failures on any of its keys: any WINDOW seconds overlap at
most two windows, so no stretch of WINDOW seconds ever lets more than LIMIT failures through (one
window alone would let nearly twice as many through across its boundary). Successes are never
counted.
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


def _name(scope: str, key: str, window: int) -> str:
    return f"throttle:{scope}:{key}:{window}"


def _slot(scope: str, key: str) -> tuple[str, int]:
    window = int(time.time() // WINDOW)
    return _name(scope, key, window), (window + 1) * WINDOW


def retry_after(scope: str, *keys: str) -> int | None:
    """Seconds to wait when any of the keys has failed LIMIT times in this window and the last; None when free."""
    now = time.time()
    window = int(now // WINDOW)
    for key in keys:
        counts = cache.get_many([_name(scope, key, window - 1), _name(scope, key, window)])
        previous = counts.get(_name(scope, key, window - 1)) or 0
        current = counts.get(_name(scope, key, window)) or 0
        if previous + current >= LIMIT:
            # Free again once the window that holds LIMIT on its own (or, with the next, still would) is past.
            ends = (window + 2 if current >= LIMIT else window + 1) * WINDOW
            return max(1, int(ends - now))
    return None


def failed(scope: str, *keys: str) -> None:
    """Count one failure against each key."""
    for key in keys:
        name, ends = _slot(scope, key)
        if not cache.add(name, 1, timeout=2 * WINDOW + 1):  # read again as the previous window
            try:
                cache.incr(name)
            except ValueError:  # expired between add and incr: start again
                cache.add(name, 1, timeout=2 * WINDOW + 1)
