"""Each user's granted folder and asset ids, kept by the process while access is unchanged.

assets.permissions reads a user's grants in three queries; building and compiling
them costs a search page ~5 ms. This module keeps what they returned, per user,
under the token of the one-row AccessGeneration table, and gives it back while the
token is the same; reading the token is one primary-key lookup.

Database triggers (migration assets/0016) replace the token in the writing
transaction on every write that could change what the three queries return: a
folder inserted, deleted or moved, any write to the four grant tables, any change
of group membership. Triggers rather than signals, so that bulk writes, cascades
and raw SQL are seen too: for a permission cache, a missed invalidation is a leak.

* The token is random, not a counter: a write that rolls back must never leave a
  value that a later write could be given again.
* It is read before the grants, never after, so what is kept under a token is at
  least as new as the token.
* It is read on every lookup, not once per request: a request that bulk-writes a
  grant (no signal, so dam.request_memo forgets nothing) must not file what it
  reads next under the old token.
* Without the row (a flushed database) nothing is kept. Nor is anything kept if
  a trigger is missing, which this process checks once: SQLite drops a table's
  triggers when a migration rebuilds the table, and a later migration on one of
  these tables must create them again.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from assets.models import AccessGeneration

log = logging.getLogger(__name__)

ACCESS_ROW = 1
# The tables migration 0016 watches, and so the triggers that must be in place.
WATCHED = ("assets_collection", "assets_collectionuserobjectpermission", "assets_collectiongroupobjectpermission",
           "assets_assetuserobjectpermission", "assets_assetgroupobjectpermission", "accounts_user_groups")
# Up to this many ids are kept (a few MB); once that is full, other users' grants are read every request
# until access next changes.
KEPT_IDS = 200_000

Granted = dict[str, tuple[int, ...] | None]  # a reach (assets.permissions.REACH) -> its ids, or None: too many


@dataclass
class _Kept:
    token: int | None = None
    by_user: dict[int, Granted] = field(default_factory=dict)
    ids: int = 0


_kept = _Kept()
_lock = threading.Lock()
_triggers_checked: dict[str, bool] = {}  # by database vendor: are all the triggers there?


def token() -> int | None:
    return AccessGeneration.objects.filter(pk=ACCESS_ROW).values_list("token", flat=True).first()


def expected_triggers(vendor: str) -> set[str]:
    if vendor == "postgresql":
        return {f"{table}_access_changed" for table in WATCHED}
    return {f"{table}_access_changed_{event}" for table in WATCHED for event in ("insert", "delete", "update")}


def triggers_in_place() -> bool:
    """Whether every trigger that replaces the token exists; looked up once per process."""
    vendor = connection.vendor
    if vendor not in _triggers_checked:
        sql = ("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal" if vendor == "postgresql"
               else "SELECT name FROM sqlite_master WHERE type = 'trigger'")
        with connection.cursor() as cursor:
            cursor.execute(sql)
            missing = expected_triggers(vendor) - {name for (name,) in cursor.fetchall()}
        if missing:
            log.error("Granted ids are not kept between requests: triggers missing: %s", ", ".join(sorted(missing)))
        _triggers_checked[vendor] = not missing
    return _triggers_checked[vendor]


def granted(user_pk: int | None, fetch: Callable[[], Granted]) -> Granted:
    """`fetch()`, or what it returned for this user while the access token has not changed."""
    global _kept
    current = token()
    kept = _kept
    if current is not None and current == kept.token and user_pk in kept.by_user:
        return kept.by_user[user_pk]
    result = fetch()
    if current is None or user_pk is None or not triggers_in_place():
        return result
    size = sum(len(ids) + 1 for ids in result.values() if ids is not None)
    with _lock:
        if _kept.token != current:
            _kept = _Kept(current)
        if _kept.ids + size <= KEPT_IDS:
            _kept.by_user[user_pk] = result
            _kept.ids += size
    return result
