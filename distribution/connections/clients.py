"""What a connection's client offers, whatever the target: every failure is a Problem with a sentence a person
can read ("Postiz refused the API key."), and whether trying again later may help."""
from __future__ import annotations

from dataclasses import dataclass, field


class Problem(Exception):
    """The target refused or failed. `retry_after` (seconds) when trying again later may help (a 429, a 5xx, a
    timeout); None when it will not (a refused key, a file it will never take). `maybe_done`: the request
    reached the target and no answer came back (a timeout, a dropped connection), so it may have been done."""

    def __init__(self, message: str, *, retry_after: float | None = None, maybe_done: bool = False):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.maybe_done = maybe_done


@dataclass(frozen=True)
class Channel:
    """A Postiz channel (an "integration" in Postiz's words): LinkedIn, X, Instagram, ..."""

    id: str
    name: str
    identifier: str
    disabled: bool = False


@dataclass(frozen=True)
class Upload:
    """A file to send: its bytes, the name it goes under, its MIME type, and its pixel size."""

    data: bytes
    name: str
    mime: str
    width: int | None = None
    height: int | None = None
    notes: list[str] = field(default_factory=list)  # what was changed to make it acceptable, in sentences


@dataclass(frozen=True)
class Media:
    """A file the target took: its id there and where it can be seen."""

    id: str
    path: str  # Postiz: the media path to put in a post; WordPress: the file's URL (source_url)
    url: str = ""  # a page for people (WordPress: the attachment's page)
