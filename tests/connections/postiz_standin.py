"""A stand-in for Postiz's public API, on loopback, for tests and the bench.

A real Postiz cannot run here (it needs a Temporal server). This one answers the routes the DAM and
Postiz's own command-line client use, as Postiz's public documentation and source describe them,
written from that reading (nothing of Postiz's code is in it):

- Routes live under the backend's prefix: `<root>/api/public/v1/...`; `url` is `<root>/api`.
- `Authorization` carries the bare API key (no scheme). No header: 401 `{"msg": "No API Key found"}`;
  another key (or "Bearer <key>"): 401 `{"msg": "Invalid API key"}`.
- `GET /public/v1/integrations`: the channels, each `id`, `name`, `identifier` (the provider), `picture`,
  `disabled`, `profile`, `customer`.
- `POST /public/v1/upload`, multipart, field `file`: the type is read from the bytes (the name and the
  part's Content-Type do not count); JPEG, PNG, GIF and WebP up to 10 MB, MP4 up to 1 GB, else 400. The
  media is named `<the name's stem>.<the detected extension>` and stored under `<root>/uploads/...`;
  answer 201 with the media row (`id`, `name`, `path`, ...).
- `POST /public/v1/posts`: limited per organization (90 an hour unless told; 429 with `Retry-After` in
  seconds, counted before the body is looked at); every post needs `integration.id` of a known channel
  (400 otherwise); `settings.__type` is set from the channel's provider; then the body is checked as
  Postiz's DTO does, a draft as if it were scheduled: `type`, `shortLink`, `date` (ISO 8601), `tags`,
  `posts[].value[]` with `content` and an `image` array whose paths end in .png .jpg .jpeg .gif .webp or
  .mp4, and the settings the provider requires (X: `who_can_reply_post`; Instagram: `post_type`).
  Answer 201 `[{"postId", "integration"}]`. Nest's 400s carry `{"message", "error", "statusCode"}`,
  `message` being a list of sentences when the validation refuses.

Knobs: `answer_next(kind, times)` makes the next requests answer 429 (with `retry_after`), 500, an HTML
page, bytes that are not JSON, a redirect, hang (until released or `hang_seconds`), or close the
connection; `post_limit` and `post_window` set the post limit; `max_image_bytes` and `max_video_bytes`
the upload limits.
"""
from __future__ import annotations

import json
import math
import re
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

KEY = "pz_6f1c0b9e2d4a4f7e8c3b5a1d9e0f2c4b"
IMAGE_LIMIT = 10 * 1024 * 1024
VIDEO_LIMIT = 1024 * 1024 * 1024
MEDIA_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "video/mp4": "mp4"}
POST_MEDIA_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".mp4")
UNSUPPORTED = "Unsupported file type. Valid extensions: " + ", ".join(POST_MEDIA_EXTENSIONS)
# What each provider's settings must hold (Postiz's provider DTOs); providers not listed require nothing.
REQUIRED_SETTINGS = {
    "x": ("who_can_reply_post", ("everyone", "following", "mentionedUsers", "subscribers", "verified")),
    "instagram": ("post_type", ("post", "story")),
    "instagram-standalone": ("post_type", ("post", "story")),
}
# ISO BMFF brands that are not MP4 (what a byte sniffer like Postiz's calls them); any other brand is MP4.
FTYP_BRANDS = {b"qt  ": "video/quicktime", b"M4V ": "video/x-m4v", b"M4A ": "audio/x-m4a", b"M4B ": "audio/x-m4a",
               b"avif": "image/avif", b"avis": "image/avif", b"heic": "image/heic", b"heix": "image/heic",
               b"mif1": "image/heif", b"msf1": "image/heif", b"3gp4": "video/3gpp", b"3gp5": "video/3gpp",
               b"3g2a": "video/3gpp2", b"crx ": "image/x-canon-cr3"}

CHANNELS: list[dict[str, Any]] = [
    {"id": "ch-linkedin-0001", "name": "LinkedIn", "identifier": "linkedin", "disabled": False},
    {"id": "ch-x-0002", "name": "X", "identifier": "x", "disabled": False},
    {"id": "ch-instagram-0003", "name": "Instagram", "identifier": "instagram", "disabled": False},
]
SCRIPTED = ("429", "500", "html", "garbage", "redirect", "hang", "close")


def sniff(data: bytes) -> str:
    """The type the bytes say, by their magic numbers; "" when unknown."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:8] == b"ftyp":
        return FTYP_BRANDS.get(data[8:12], "video/mp4")
    if data[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if data[:2] == b"BM":
        return "image/bmp"
    if data[:4] == b"8BPS":
        return "image/vnd.adobe.photoshop"
    if data[:5] == b"%PDF-":
        return "application/pdf"
    return ""


@dataclass
class StoredUpload:
    id: str
    name: str  # as Postiz names it: the sent name's stem and the detected extension
    path: str
    mime: str  # detected from the bytes
    data: bytes
    filename: str  # as sent
    part_type: str  # the part's Content-Type, as sent (not believed)


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = field(repr=False)


class _Answer(Exception):
    """An answer decided part-way (a refusal): status and JSON body."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None):
        super().__init__(status)
        self.status, self.body, self.headers = status, body, headers or {}


def _bad_request(message: str | list[str]) -> _Answer:
    return _Answer(400, {"message": message, "error": "Bad Request", "statusCode": 400})


class PostizStandIn:
    """A running stand-in: `url` (its API base), `key`, and what it received: `uploads`, `posts` (each
    accepted body as Postiz keeps it, `settings.__type` filled in), `created` (`{"postId", "integration"}`),
    `requests`; `channels` may be changed."""

    def __init__(self, *, key: str = KEY, post_limit: int = 90, post_window: float = 3600.0, keep_files: bool = True):
        self.key = key
        self.keep_files = keep_files  # False (the bench): uploads are recorded without their bytes
        self.channels: list[dict[str, Any]] = [
            {**c, "picture": f"https://cdn.example.com/{c['identifier']}.png", "profile": c["name"].lower(),
             "customer": None} for c in CHANNELS]
        self.uploads: list[StoredUpload] = []
        self.posts: list[dict[str, Any]] = []
        self.created: list[dict[str, str]] = []
        self.requests: list[Request] = []
        self.post_limit, self.post_window = post_limit, post_window
        self.max_image_bytes, self.max_video_bytes = IMAGE_LIMIT, VIDEO_LIMIT
        self.retry_after: int | None = 42
        self.hang_seconds = 30.0
        self.release = threading.Event()
        self._script: deque[str] = deque()
        self._post_times: deque[float] = deque()
        self._lock = threading.Lock()
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive for clients that want it (Node's fetch)
            server_version = "postiz-standin"

            def setup(self) -> None:
                super().setup()
                # As Node's HTTP server does: an answer's headers and body are two writes here, and on a kept-alive
                # connection the body would otherwise wait for the client's delayed ACK (~40 ms).
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def do_GET(self) -> None:
                standin._handle(self)

            def do_POST(self) -> None:
                standin._handle(self)

            def do_PUT(self) -> None:
                standin._handle(self)

            def do_DELETE(self) -> None:
                standin._handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False  # a hung request must not hold up stop()
        self.port = self.server.server_address[1]
        self.root = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.root}/api"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    # --- knobs ----------------------------------------------------------------------------------------------

    def answer_next(self, kind: str, times: int = 1, *, retry_after: int | None = 42) -> None:
        """The next `times` requests answer `kind`: 429, 500, html, redirect, hang or close."""
        assert kind in SCRIPTED, kind
        self.retry_after = retry_after
        with self._lock:
            self._script.extend([kind] * times)

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    # --- one request --------------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        body = _read_body(h)
        headers = {k.lower(): v for k, v in h.headers.items()}
        with self._lock:
            self.requests.append(Request(h.command, h.path, headers, body))
            scripted = self._script.popleft() if self._script else ""
        if scripted == "close":
            h.close_connection = True  # no answer at all
            return
        if scripted == "hang":
            self.release.wait(self.hang_seconds)
            h.close_connection = True
            return
        try:
            if scripted:
                raise self._scripted(scripted)
            status, answer = self._route(h.command, h.path.split("?")[0], headers, body)
            _send_json(h, status, answer)
        except _Answer as done:
            _send_json(h, done.status, done.body, done.headers)

    def _scripted(self, kind: str) -> _Answer:
        if kind == "429":
            after = {} if self.retry_after is None else {"Retry-After": str(self.retry_after)}
            return _Answer(429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"}, after)
        if kind == "500":
            return _Answer(500, {"statusCode": 500, "message": "Internal server error"})
        if kind == "redirect":
            return _Answer(301, None, {"Location": f"{self.root}/auth/login"})
        if kind == "garbage":
            return _Answer(200, b"\x00\x93garbage{", {"Content-Type": "application/octet-stream"})
        return _Answer(200, "<!DOCTYPE html><html><head><title>Postiz</title></head><body>Sign in</body></html>",
                       {"Content-Type": "text/html; charset=utf-8"})

    def _route(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, Any]:
        if method == "GET" and path.startswith("/uploads/"):
            found = next((u for u in self.uploads if u.path == self.root + path), None)
            if found is None:
                raise _Answer(404, {"message": f"Cannot GET {path}", "error": "Not Found", "statusCode": 404})
            raise _Answer(200, found.data, {"Content-Type": found.mime})
        if not path.startswith("/api/public/"):
            raise _Answer(404, {"message": f"Cannot {method} {path}", "error": "Not Found", "statusCode": 404})
        route = path.removeprefix("/api")
        # The API key is the whole header: Postiz looks the organization up by it as it stands.
        given = headers.get("authorization")
        if not given:
            raise _Answer(401, {"msg": "No API Key found"})
        if given != self.key:
            raise _Answer(401, {"msg": "Invalid API key"})
        if method == "POST" and route.startswith("/public/v1/posts"):
            self._count_post()
        if (method, route) == ("GET", "/public/v1/integrations"):
            return 200, self.channels
        if (method, route) == ("GET", "/public/v1/is-connected"):
            return 200, {"connected": True}
        if (method, route) == ("POST", "/public/v1/upload"):
            return 201, self._upload(headers, body)
        if (method, route) == ("POST", "/public/v1/posts"):
            return 201, self._post(body)
        raise _Answer(404, {"message": f"Cannot {method} {route}", "error": "Not Found", "statusCode": 404})

    def _count_post(self) -> None:
        """The post limit, per organization (one key here), over a sliding window."""
        now = time.monotonic()
        with self._lock:
            while self._post_times and self._post_times[0] <= now - self.post_window:
                self._post_times.popleft()
            if len(self._post_times) >= self.post_limit:
                wait = math.ceil(self._post_times[0] + self.post_window - now)
                raise _Answer(429, {"statusCode": 429, "message": "ThrottlerException: Too Many Requests"},
                              {"Retry-After": str(max(wait, 1))})
            self._post_times.append(now)

    def _upload(self, headers: dict[str, str], body: bytes) -> dict[str, Any]:
        files = _multipart_files(headers.get("content-type", ""), body)
        if any(name != "file" for name, *_ in files):
            raise _bad_request("Unexpected field")
        if not files:
            raise _Answer(400, {"msg": "No file provided"})
        _, filename, part_type, data = files[0]
        mime = sniff(data)
        if mime not in MEDIA_TYPES:
            raise _bad_request(UNSUPPORTED)
        limit = self.max_video_bytes if mime.startswith("video/") else self.max_image_bytes
        if len(data) > limit:
            raise _bad_request(f"File size exceeds the maximum allowed size of {limit} bytes.")
        stem = re.sub(r"\.[^./\\]*$", "", filename or "upload").replace("/", "_").replace("\\", "_")[:100] or "upload"
        name = f"{stem}.{MEDIA_TYPES[mime]}"
        now = datetime.now(UTC)
        path = f"{self.root}/uploads/{now:%Y/%m/%d}/{uuid.uuid4().hex}.{MEDIA_TYPES[mime]}"
        stored = StoredUpload(id=str(uuid.uuid4()), name=name, path=path, mime=mime,
                              data=data if self.keep_files else b"", filename=filename, part_type=part_type)
        with self._lock:
            self.uploads.append(stored)
        stamp = now.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        return {"id": stored.id, "name": name, "path": path, "organizationId": "org-standin", "thumbnail": None,
                "alt": None, "fileSize": len(data), "type": mime.split("/")[0], "createdAt": stamp,
                "updatedAt": stamp, "deletedAt": None}

    def _post(self, raw: bytes) -> list[dict[str, str]]:
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise _bad_request(f"{exc} is not valid JSON") from None
        posts = body.get("posts") if isinstance(body, dict) else None
        if not isinstance(posts, list) or not all(
                isinstance(p, dict) and isinstance(p.get("integration"), dict) and p["integration"].get("id")
                for p in posts):
            raise _bad_request("All posts must have an integration id")
        known = {c["id"]: c for c in self.channels}
        for post in posts:
            channel = known.get(post["integration"]["id"])
            if channel is None:
                raise _bad_request(f"Integration with id {post['integration']['id']} not found")
            post["settings"] = {**(post.get("settings") or {}), "__type": channel["identifier"]}
        problems = _validated(body)
        if problems:
            raise _bad_request(problems)
        made = [{"postId": uuid.uuid4().hex[:16], "integration": p["integration"]["id"]} for p in posts]
        with self._lock:
            self.posts.append(body)
            self.created.extend(made)
        return made


def _validated(body: dict[str, Any]) -> list[str]:
    """What Postiz's post DTO refuses in the body, in its words; a draft is checked as if scheduled."""
    problems: list[str] = []
    if body.get("type") not in ("draft", "schedule", "now"):
        problems.append("type must be one of the following values: draft, schedule, now")
    if not isinstance(body.get("shortLink"), bool):
        problems.append("shortLink must be a boolean value")
    if not _is_iso_date(body.get("date")):
        problems.append("date must be a valid ISO 8601 date string")
    tags = body.get("tags")
    if not isinstance(tags, list):
        problems.append("tags must be an array")
    else:
        for n, tag in enumerate(tags):
            for key in ("value", "label"):
                if not isinstance(tag, dict) or not isinstance(tag.get(key), str):
                    problems.append(f"tags.{n}.{key} must be a string")
    posts = body["posts"]
    if not posts:
        problems.append("posts must contain at least 1 elements")
    for n, post in enumerate(posts):
        where = f"posts.{n}"
        values = post.get("value")
        if not isinstance(values, list) or not values:
            problems.append(f"{where}.value must contain at least 1 elements")
            values = []
        for m, value in enumerate(values):
            problems += _value_problems(f"{where}.value.{m}", value)
        settings = post["settings"]
        required = REQUIRED_SETTINGS.get(settings["__type"])
        if required and settings.get(required[0]) not in required[1]:
            problems.append(f"{where}.settings.{required[0]} must be one of the following values: "
                            + ", ".join(required[1]))
    return problems


def _value_problems(where: str, value: Any) -> list[str]:
    if not isinstance(value, dict):
        return [f"{where} must be an object"]
    problems = []
    content, images = value.get("content"), value.get("image")
    if not isinstance(content, str):
        problems.append(f"{where}.content must be a string")
    if not isinstance(images, list):
        problems.append(f"{where}.image must be an array")
        images = []
    if not images and not (isinstance(content, str) and re.sub(r"<[^>]*>", "", content).strip()):
        problems.append(f"{where}.content  If images do not exist, content must be a non-empty string.")
    for k, image in enumerate(images):
        at = f"{where}.image.{k}"
        if not isinstance(image, dict):
            problems.append(f"{at} must be an object")
            continue
        if not isinstance(image.get("id"), str):
            problems.append(f"{at}.id must be a string")
        path = image.get("path")
        if not isinstance(path, str):
            problems.append(f"{at}.path must be a string")
        elif not path.split("?")[0].endswith(POST_MEDIA_EXTENSIONS):
            problems.append(f"{at}.path File must have a valid extension: " + ", ".join(POST_MEDIA_EXTENSIONS))
        if image.get("alt") and not isinstance(image["alt"], str):
            problems.append(f"{at}.alt must be a string")
    return problems


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _read_body(h: BaseHTTPRequestHandler) -> bytes:
    if h.headers.get("Transfer-Encoding", "").lower() == "chunked":
        chunks: list[bytes] = []
        while True:
            size = int(h.rfile.readline().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while h.rfile.readline() not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            chunks.append(h.rfile.read(size))
            h.rfile.readline()
    length = int(h.headers.get("Content-Length") or 0)
    return h.rfile.read(length) if length else b""


def _multipart_files(content_type: str, body: bytes) -> list[tuple[str, str, str, bytes]]:
    """The file parts of a multipart/form-data body: (field name, file name, part type, bytes)."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.lower().startswith("multipart/form-data") or not match:
        return []
    delimiter = b"--" + match.group(1).encode()
    files = []
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break  # the closing delimiter
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        data = data.removesuffix(b"\r\n")
        fields = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, val = line.partition(":")
            fields[key.strip().lower()] = val.strip()
        disposition = fields.get("content-disposition", "")
        name = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        filename = re.search(r'filename="([^"]*)"', disposition)
        if name and filename:
            files.append((name.group(1), filename.group(1), fields.get("content-type", ""), data))
    return files


def _send_json(h: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
    headers = dict(headers or {})
    if isinstance(body, bytes | str):
        data = body.encode() if isinstance(body, str) else body
    else:
        data = b"" if body is None else json.dumps(body).encode()
        headers.setdefault("Content-Type", "application/json; charset=utf-8")
    h.send_response(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("X-Powered-By", "Express")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)
