"""What one drive request knows about its caller, reachable from WsgiDAV's callbacks.

The provider's resources get it from their environ ("dam.ctx"); the lock manager and storage, which WsgiDAV
calls without an environ, from the context variable the view sets for the length of the request.
"""
from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from accounts.models import User


@dataclass
class DavContext:
    user: User
    may_write: bool
    client: str
    environ: dict[str, Any] = field(default_factory=dict)
    # Read once per request (the visible folders, a folder's listing, the active locks): a PROPFIND of a folder
    # asks for each member's properties one by one, and must not ask the database again for each.
    memo: dict[Any, Any] = field(default_factory=dict)

    def forget(self, *prefixes: str) -> None:
        for key in [k for k in self.memo if isinstance(k, tuple) and k[0] in prefixes or k in prefixes]:
            del self.memo[key]


current: ContextVar[DavContext | None] = ContextVar("dav_request", default=None)


def from_environ(environ: dict[str, Any]) -> DavContext:
    ctx: DavContext = environ["dam.ctx"]
    return ctx
