"""WordPress's REST API, as a connection uses it: test the user, upload a file to the Media Library, describe it.

Authentication is Basic with an Application Password (Users → Profile), which WordPress takes over https, or
over http on a site whose environment type is "local". The API lives at /wp-json/ on sites with pretty
permalinks and at /?rest_route= on sites with plain ones; the client tries the first and, when what answers is
not the REST API (plain-permalink sites redirect it or show their home page), the second, and remembers which.

WordPress cannot replace an attachment's file: a newer version is uploaded as a new attachment. Every call goes
through distribution.outbound (SSRF rules, DAM_WEBHOOK_ALLOW_HOSTS, no redirects followed); every failure is a
Problem with a sentence, and a retry_after when trying again later may help.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import mimetypes
import re
import unicodedata
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.utils import timezone
from django.utils.html import strip_tags

from distribution import outbound
from distribution.connections.clients import Media, Problem, Upload

RETRY_AFTER = 30.0  # seconds, after a 5xx, a timeout or a failed connection
RETRY_AFTER_429 = 60.0  # when a 429 does not say
# WordPress makes its smaller sizes of an image before it answers an upload: a large photo takes a while.
UPLOAD_TIMEOUT = 180.0
CALL_TIMEOUT = 30.0
MAX_ANSWER = 1024 * 1024

NOT_WORDPRESS = "This address answered, but not as WordPress's REST API does."
BAD_SECRET = "The WordPress secret must be user:application password."  # noqa: S105 - a sentence, not a password
REFUSED_LOGIN = "WordPress refused the user name or application password."


class WordPressClient:
    """One WordPress site, as one user. `secret` is "user:application password" (the spaces WordPress shows
    inside the password are kept; it ignores them). A secret without a colon is a Problem at once."""

    def __init__(self, site_url: str, secret: str):
        self.site = site_url.strip().rstrip("/")
        user, colon, password = secret.strip().partition(":")
        user, password = user.strip(), password.strip()
        if not colon or not user or not password:
            raise Problem(BAD_SECRET)
        self.user = user
        self._authorization = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        self._pretty: bool | None = None  # /wp-json/ (True) or /?rest_route= (False); None until one answered

    # --- what a connection does ---------------------------------------------------------------------------

    def test(self) -> str:
        """Reach the site as the user; a sentence saying so, or a Problem saying what went wrong."""
        me = self._me()
        name = str(me.get("name") or me.get("slug") or self.user)
        site = self._site_name()
        if not (me.get("capabilities") or {}).get("upload_files"):
            raise Problem(f"Reached WordPress {site} as {name}, but they may not upload media: give them a role "
                          "that may (Author, Editor or Administrator).")
        return f"Reached WordPress {site} as {name}; they may upload media."

    def upload(self, upload: Upload) -> Media:
        """Put a file into the Media Library (a new attachment, every time)."""
        if self._pretty is None:
            self._me()  # which address answers, and whether the password does, before sending the file
        reply = self._call("POST", "/wp/v2/media", body=upload.data, read_timeout=UPLOAD_TIMEOUT, headers={
            "Content-Type": upload.mime,
            "Content-Disposition": f'attachment; filename="{safe_file_name(upload.name, upload.mime)}"',
            # WordPress compares it with what it received (412 when they differ).
            "Content-MD5": hashlib.md5(upload.data, usedforsecurity=False).hexdigest(),
        })
        data = self._answer(reply, "upload the file", size=len(upload.data))
        if not data.get("id") or not data.get("source_url"):
            raise Problem(NOT_WORDPRESS)
        return Media(id=str(data["id"]), path=str(data["source_url"]), url=str(data.get("link") or ""))

    def describe(self, media_id: str, *, title: str, alt: str, caption: str, description: str) -> None:
        """Set an attachment's title, alt text, caption and description.

        The DAM's fields are plain text; WordPress keeps title, caption and description as HTML (an
        administrator's unfiltered), so those are escaped: what a DAM user typed cannot become markup on the
        site. The alt text is plain text there too and goes as it is.
        """
        if not str(media_id).isdigit():
            raise Problem(f"{media_id!r} is not a WordPress media id.")
        body = json.dumps({"title": _text(title), "alt_text": alt, "caption": _text(caption),
                           "description": _text(description)}).encode()
        reply = self._call("POST", f"/wp/v2/media/{int(media_id)}", body=body,
                           headers={"Content-Type": "application/json"})
        if reply.status == 404 and _is_json(reply):
            raise Problem(f"WordPress has no media item {media_id} any more (it was deleted there).")
        self._answer(reply, "describe the file")

    # --- calls ---------------------------------------------------------------------------------------------

    def _me(self) -> dict[str, Any]:
        reply = self._call("GET", "/wp/v2/users/me", query={"context": "edit", "_fields": "id,name,slug,capabilities"})
        return self._answer(reply, "say who the user is")

    def _site_name(self) -> str:
        """The site's title in quotes, from the API's index; its host when the title cannot be had."""
        try:
            reply = self._call("GET", "/", query={"_fields": "name"})
            name = str(self._answer(reply, "give its name").get("name") or "").strip()
        except Problem:
            name = ""
        return f"“{html.unescape(name)}”" if name else f"at {urlsplit(self.site).netloc}"

    def _moved_to(self, reply: outbound.Reply) -> str:
        """The site's address a redirect points to: the part before the REST API's own path."""
        location = urljoin(self.site + "/", reply.headers.get("location", "")).split("?", 1)[0]
        return location.split("/wp-json", 1)[0].rstrip("/") + "/"

    def _url(self, route: str, query: dict[str, str] | None, pretty: bool) -> str:
        if pretty:
            return f"{self.site}/wp-json{route}" + (f"?{urlencode(query)}" if query else "")
        return f"{self.site}/?" + urlencode({"rest_route": route, **(query or {})})

    def _call(self, method: str, route: str, *, query: dict[str, str] | None = None, body: bytes | None = None,
              headers: dict[str, str] | None = None, read_timeout: float | None = None) -> outbound.Reply:
        """Call the REST API at the address that answers as it (see the module's docstring)."""
        headers = {"Authorization": self._authorization, "Accept": "application/json", **(headers or {})}
        styles = [self._pretty] if self._pretty is not None else [True, False]
        for pretty in styles:
            try:
                reply = outbound.call(method, self._url(route, query, pretty), body=body, headers=headers,
                                      max_answer=MAX_ANSWER, read_timeout=read_timeout or CALL_TIMEOUT)
            except outbound.Refused as exc:
                raise Problem(str(exc)) from None
            except outbound.CallFailed as exc:
                # outbound speaks of "the receiver" (it serves webhooks too); here it is WordPress.
                message = re.sub(r"^The receiver\b", "WordPress", str(exc))
                raise Problem(message, retry_after=RETRY_AFTER) from None
            if _is_json(reply):
                self._pretty = pretty
                return reply
        return reply

    def _answer(self, reply: outbound.Reply, doing: str, *, size: int | None = None) -> dict[str, Any]:
        """The JSON object of a successful answer; a Problem saying why otherwise."""
        status = reply.status
        if 200 <= status < 300 and _is_json(reply):
            try:
                data = json.loads(reply.body)
            except ValueError:
                data = None
            if isinstance(data, dict):
                return data
            raise Problem(NOT_WORDPRESS)
        if status == 429:
            raise Problem("WordPress asks to wait before the next request (429 Too Many Requests).",
                          retry_after=_retry_after(reply.headers.get("retry-after", "")))
        if status == 413:
            shown = f"{_size(size)}; " if size is not None else ""
            raise Problem(f"WordPress refused the file as too large ({shown}the server in front of it limits the "
                          "size of a request). Choose a smaller preset, or raise the limit there.")
        if not _is_json(reply):
            if 300 <= status < 400 and reply.headers.get("location"):
                raise Problem(f"WordPress answered with a redirect to {self._moved_to(reply)}; use that address "
                              "as the site URL.")
            if status == 401:
                raise Problem("The site asked for a password before WordPress could answer: the web server in "
                              "front of it is password-protected.")
            if status == 403:
                raise Problem("The site refused the request (403 Forbidden) before WordPress answered: a firewall "
                              "in front of it may block it.")
            if status >= 500:
                raise Problem(f"WordPress answered {status} {reply.reason}; trying again later may help.",
                              retry_after=RETRY_AFTER)
            raise Problem(NOT_WORDPRESS)
        code, message = _error(reply)
        if status == 401:
            raise Problem(REFUSED_LOGIN)
        if status == 403:
            raise Problem(f"WordPress did not let {self.user} {doing}: {message}")
        if code == "rest_upload_no_data" and size:
            raise Problem(f"WordPress received no file: the site's PHP takes smaller requests than this "
                          f"{_size(size)} one (post_max_size). Choose a smaller preset, or raise the limit there.")
        if code == "rest_upload_hash_mismatch":
            raise Problem("WordPress received a different file than was sent (its checksum did not match).",
                          retry_after=RETRY_AFTER)
        if code.startswith("rest_upload_"):
            # Its checks of the file itself (type not allowed, no space left) answer 400 or 500: both final.
            raise Problem(f"WordPress refused the file: {message}")
        if status >= 500:
            raise Problem(f"WordPress failed to {doing} ({status}: {message}); trying again later may help.",
                          retry_after=RETRY_AFTER)
        raise Problem(f"WordPress refused to {doing} ({status}): {message}")


def _is_json(reply: outbound.Reply) -> bool:
    """Whether an answer comes from the REST API, which answers everything, errors too, as JSON."""
    return reply.headers.get("content-type", "").split(";")[0].strip().lower() == "application/json"


def _error(reply: outbound.Reply) -> tuple[str, str]:
    """A REST error's code and message (WordPress puts <strong> in some), as plain text."""
    try:
        data = json.loads(reply.body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        return "", f"{reply.status} {reply.reason}".strip()
    message = " ".join(html.unescape(strip_tags(str(data.get("message") or ""))).split())
    message = message or f"{reply.status} {reply.reason}".strip()
    return str(data.get("code") or ""), message if message.endswith((".", "!", "?")) else message + "."


def _retry_after(value: str) -> float:
    """Seconds to wait, from a Retry-After header (seconds or an HTTP date)."""
    value = value.strip()
    if value.isdigit():
        return max(1.0, float(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return RETRY_AFTER_429
    return max(1.0, (when - timezone.now()).total_seconds())


def _size(size: int | None) -> str:
    size = size or 0
    return f"{size / 1_000_000:.1f} MB" if size >= 100_000 else f"{size / 1000:.0f} KB"


def _text(value: str) -> str:
    return html.escape(value, quote=False)


def safe_file_name(name: str, mime: str = "") -> str:
    """A file name WordPress's Content-Disposition parser takes: ASCII (HTTP headers are), no quotes or
    semicolons (it splits on them), no folders; accents dropped, the extension kept, or added from the MIME
    type (WordPress refuses a file without one)."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "-", stem).strip(" .-") or "file"
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension)
    if not extension and mime:
        extension = (mimetypes.guess_extension(mime) or "").lstrip(".")
    return f"{stem}.{extension}" if extension else stem
