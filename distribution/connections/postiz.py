"""Postiz's public API (the backend's /public/v1 routes): channels, upload, draft posts.

Every call goes through distribution.outbound (the webhook rules: public addresses only unless allowed,
checked again before each call, redirects not followed). Postiz answers a POST with 201, a refused key
with 401 and `{"msg"}`, a refused body with 400 and Nest's `{"message"}` (a sentence, or a list of them
from its validation), the post limit with 429 and `Retry-After` in seconds. Each failure becomes a
Problem with a sentence, and `retry_after` when trying again later may help.
"""
from __future__ import annotations

import email.utils
import json
import math
from datetime import UTC, datetime
from typing import Any

import urllib3

from distribution import outbound
from distribution.connections.clients import Channel, Media, Problem, Upload

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VIDEO_BYTES = 1024**3
ACCEPTED = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"})

# Seconds to wait for Postiz to store an upload (it may pass it on to object storage) before giving up.
UPLOAD_READ_TIMEOUT = 120.0
# How long to wait before trying again after a 5xx or no answer, and after a 429 without Retry-After.
RETRY_AFTER_FAILURE = 30.0
RETRY_AFTER_LIMIT = 60.0
# Postiz checks a post's settings against the channel's provider, drafts included (its public API
# validates a draft as if it were scheduled), and sets `__type` from the channel itself. These providers
# require settings a caption-and-picture post can answer; the others need none, or ask what only a
# person can choose in Postiz (a YouTube title, a Pinterest board, a subreddit): Postiz then says so (400).
PROVIDER_SETTINGS: dict[str, dict[str, Any]] = {
    "x": {"who_can_reply_post": "everyone"},
    "instagram": {"post_type": "post"},
    "instagram-standalone": {"post_type": "post"},
}
# How many channel names "Test connection" lists before "and N more".
NAMES_SHOWN = 8


class PostizClient:
    """One Postiz: the base URL of its backend (e.g. https://postiz.example.com/api) and an API key."""

    def __init__(self, base_url: str, api_key: str):
        self.base_url = base_url.strip().rstrip("/")
        # A key pasted with a stray space or line break still works; any other character cannot be in a key
        # and must not reach a header.
        self.api_key = api_key.strip()
        self._channels: list[Channel] | None = None

    # --- the calls ----------------------------------------------------------------------------------------

    def test(self) -> str:
        """Reach Postiz with the key and say in a sentence what was found; Problem with the reason otherwise."""
        channels = self.channels()
        if not channels:
            return "Reached Postiz, but it has no channels yet: connect one in Postiz first."
        names = [f"{c.name} (disabled)" if c.disabled else c.name for c in channels]
        shown = ", ".join(names[:NAMES_SHOWN])
        if len(names) > NAMES_SHOWN:
            shown += f" and {len(names) - NAMES_SHOWN} more"
        count = "1 channel" if len(names) == 1 else f"{len(names)} channels"
        return f"Reached Postiz: {count} ({shown})."

    def channels(self) -> list[Channel]:
        """Its channels (Postiz's "integrations"): LinkedIn, X, Instagram, ..."""
        answer = self._json("GET", "/public/v1/integrations", what="the list of channels")
        if not isinstance(answer, list) or not all(isinstance(i, dict) and i.get("id") for i in answer):
            raise _not_postiz("its list of channels is not a list of channels")
        self._channels = [Channel(id=str(i["id"]), name=str(i.get("name") or i["id"]),
                                  identifier=str(i.get("identifier") or ""), disabled=bool(i.get("disabled")))
                          for i in answer]
        return self._channels

    def upload(self, upload: Upload) -> Media:
        """Send a file (POST /public/v1/upload, multipart field `file`); the media Postiz made of it."""
        if upload.mime not in ACCEPTED:
            raise Problem(f"Postiz takes JPEG, PNG, GIF, WebP and MP4 files only, not {upload.mime}.")
        body, content_type = urllib3.encode_multipart_formdata({"file": (upload.name, upload.data, upload.mime)})
        answer = self._json("POST", "/public/v1/upload", body=body, content_type=content_type,
                            what="the file", read_timeout=UPLOAD_READ_TIMEOUT)
        if not isinstance(answer, dict) or not answer.get("id") or not isinstance(answer.get("path"), str):
            raise _not_postiz("its answer to the upload names no media")
        path = answer["path"]
        return Media(id=str(answer["id"]), path=path, url=path if path.startswith(("http://", "https://")) else "")

    def create_draft(self, *, channel_id: str, text: str, media: Media, alt: str, when: datetime | None = None,
                     identifier: str = "") -> str:
        """Make a draft post on one channel with the caption and the picture (its alt text on it); its postId.

        `identifier` is the channel's provider ("x", "linkedin", ...): the settings Postiz requires for it are
        added. Without it, the channel is looked up in the list (once per client)."""
        if not identifier:
            known = self._channels if self._channels is not None else self.channels()
            identifier = next((c.identifier for c in known if c.id == channel_id), "")
        settings = {**({"__type": identifier} if identifier else {}), **PROVIDER_SETTINGS.get(identifier, {})}
        body = {
            "type": "draft",
            "date": _iso(when or datetime.now(UTC)),
            "shortLink": False,
            "tags": [],
            "posts": [{
                "integration": {"id": channel_id},
                "value": [{"content": text, "image": [{"id": media.id, "path": media.path, "alt": alt}]}],
                "settings": settings,
            }],
        }
        answer = self._json("POST", "/public/v1/posts", body=json.dumps(body).encode(),
                            content_type="application/json", what="the post")
        if not isinstance(answer, list) or not answer or not isinstance(answer[0], dict) or not answer[0].get("postId"):
            raise _not_postiz("its answer to the post names no post")
        return str(answer[0]["postId"])

    # --- one call, and what its answer means ------------------------------------------------------------

    def _json(self, method: str, path: str, *, what: str, body: bytes | None = None, content_type: str = "",
              read_timeout: float | None = None) -> Any:
        if not self.api_key:
            raise Problem("The Postiz API key is empty.")
        if not self.api_key.isascii() or not self.api_key.isprintable():
            raise Problem("The Postiz API key has characters no API key has; paste it again.")
        headers = {"Authorization": self.api_key, "Accept": "application/json"}  # the bare key: no scheme
        if content_type:
            headers["Content-Type"] = content_type
        try:
            reply = outbound.call(method, self.base_url + path, body=body, headers=headers, read_timeout=read_timeout)
        except outbound.Refused as exc:
            raise Problem(str(exc)) from None
        except outbound.CallFailed as exc:
            text = str(exc).replace("The receiver", "Postiz")
            # A certificate Postiz's host does not have will not grow one by waiting.
            tls = text.startswith("The secure connection failed")
            # Connected, sent, and no answer: Postiz may have done it (outbound.call tries no other address then).
            sent = not text.startswith("Could not connect")
            raise Problem(text, retry_after=None if tls else RETRY_AFTER_FAILURE, maybe_done=sent and not tls) from None
        if 200 <= reply.status < 300:
            return _parsed(reply)
        raise _refusal(reply, path, what)


def _parsed(reply: outbound.Reply) -> Any:
    """The JSON of a successful answer; Problem when it is a page or anything else."""
    if _is_html(reply):
        raise _not_postiz("it sent a web page; the address of Postiz's API usually ends in /api")
    try:
        return json.loads(reply.body)
    except ValueError:
        raise _not_postiz("its answer is not JSON") from None


def _refusal(reply: outbound.Reply, path: str, what: str) -> Problem:
    """The Problem an unsuccessful answer means."""
    status = reply.status
    said = _message(reply)
    if status in (401, 403):
        reason = "" if said.lower() in ("", "invalid api key", "no api key found", "forbidden") else f" ({said})"
        return Problem(f"Postiz refused the API key{reason}.")
    if status == 429:
        wait = _retry_after(reply.headers.get("retry-after", ""))
        noun = "post" if path.endswith("/posts") else "request"
        return Problem(f"Postiz asks to wait {_duration(wait)} before the next {noun}.", retry_after=wait)
    if status >= 500:
        return Problem(f"Postiz failed ({status} {reply.reason}); trying again later may help.",
                       retry_after=RETRY_AFTER_FAILURE)
    if 300 <= status < 400:
        where = reply.headers.get("location", "")
        return Problem(f"This address sends callers elsewhere ({status}{' to ' + where if where else ''}); "
                       "save the address Postiz's API answers at.")
    if status == 413:  # from the web server in front of Postiz, whose own limits answer 400
        return Problem(f"The server in front of Postiz refused {what} as too large (413); its upload limit must "
                       "be raised (nginx: client_max_body_size).")
    if status == 404 or _is_html(reply):
        return _not_postiz(f"{status} {reply.reason} for {path}; the address of Postiz's API usually ends in /api")
    return Problem(f"Postiz refused {what}: {said or f'{status} {reply.reason}'}.")


def _message(reply: outbound.Reply) -> str:
    """What Postiz said: Nest's `message` (a sentence or a list of them) or Postiz's own `msg`; briefly."""
    try:
        data = json.loads(reply.body)
    except ValueError:
        return ""
    said = (data.get("message") or data.get("msg") or data.get("error") or "") if isinstance(data, dict) else ""
    if isinstance(said, list):
        said = "; ".join(str(s) for s in said[:3])
    text = " ".join(str(said).split()).rstrip(".")
    return text if len(text) <= 200 else text[:199] + "…"


def _is_html(reply: outbound.Reply) -> bool:
    return "html" in reply.headers.get("content-type", "").lower() or reply.body.lstrip()[:1] == b"<"


def _not_postiz(why: str) -> Problem:
    return Problem(f"This address answered, but not as Postiz does ({why}).")


def _retry_after(value: str) -> float:
    """Retry-After in seconds: a number, or an HTTP date; RETRY_AFTER_LIMIT when absent or unreadable."""
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return RETRY_AFTER_LIMIT
        seconds = (when - datetime.now(UTC)).total_seconds() if when.tzinfo else RETRY_AFTER_LIMIT
    return float(max(1, math.ceil(seconds))) if math.isfinite(seconds) else RETRY_AFTER_LIMIT


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} seconds"
    if seconds < 2 * 3600:
        return f"{math.ceil(seconds / 60)} minutes"
    return f"{seconds / 3600:.1f} hours"


def _iso(when: datetime) -> str:
    """ISO 8601 in UTC as JavaScript writes it (2026-03-01T09:30:00.000Z); a naive time is taken as UTC."""
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
