"""The drive's one view: sign the caller in, check what WsgiDAV should never see, and hand it the request.

WsgiDAV reads the body from environ["wsgi.input"] itself, a block at a time, and its answer is streamed back
as it comes (a 200 MB original is never held in memory). Django's middleware sees a plain view: CSRF does not
apply (the view is exempt; Basic credentials are not sent by browsers to other sites' forms unasked), and
the one route matches every path under /dav, so APPEND_SLASH never redirects a WebDAV method.
"""
from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring
from django.core.handlers.wsgi import LimitedStream
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.csrf import csrf_exempt

from dav import auth, context
from dav.app import MOUNT, dav_app
from dav.clients import client_name

READ_METHODS = frozenset({"OPTIONS", "GET", "HEAD", "PROPFIND"})
HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailers",
                        "transfer-encoding", "upgrade"})
# The methods whose body is an XML document (a PROPFIND's property list, a LOCK's owner, a PROPPATCH).
XML_METHODS = frozenset({"PROPFIND", "PROPPATCH", "LOCK"})
MAX_XML_BODY = 1024 * 1024
MAX_NAME = 255  # bytes in one path segment, as most file systems allow


def _refuse(status: int, message: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8")


def _path_problem(path: str) -> str | None:
    """Why a path under /dav/ is refused before WsgiDAV sees it, or None."""
    if "\x00" in path or any(ord(c) < 32 for c in path):
        return "A path may not contain control characters."
    for segment in path.split("/"):
        if segment in (".", ".."):
            return "A path may not contain “.” or “..” segments."
        if len(segment.encode("utf-8")) > MAX_NAME:
            return f"A name may be at most {MAX_NAME} bytes long."
    return None


def _destination_problem(request: HttpRequest) -> str | None:
    destination = request.META.get("HTTP_DESTINATION")
    if destination is None:
        return None
    parts = urlsplit(destination)
    if parts.netloc and parts.netloc.lower() != request.get_host().lower():
        return "The Destination must be on this server."
    path = unquote(parts.path)
    if not (path == MOUNT or path.startswith(MOUNT + "/")):
        return f"The Destination must be under {MOUNT}/."
    return _path_problem(path)


def _body(environ: dict[str, Any]) -> Any:
    """The request body as WsgiDAV should read it, or None when it cannot be read safely: never past its end,
    which would block on a kept-alive socket (wsgiref's and runserver's wsgi.input is the raw socket)."""
    raw = environ["wsgi.input"]
    try:
        length = int(environ.get("CONTENT_LENGTH") or -1)
    except ValueError:
        length = -1
    if length >= 0:
        return LimitedStream(raw, length)
    if "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        # Finder sends large files chunked. Only a server that decodes the chunks and ends the stream itself
        # (gunicorn, mod_wsgi: they say so in wsgi.input_terminated) can hand such a body on.
        return raw if environ.get("wsgi.input_terminated") else None
    return LimitedStream(raw, 0)


def _checked_xml(environ: dict[str, Any]) -> str | None:
    """Read a small XML body and refuse it unless it parses without a DTD: WsgiDAV parses with lxml when that
    is installed, which reads DTDs; defusedxml here refuses entity declarations and external entities
    whatever WsgiDAV uses. The body, now in memory, is handed on as a fresh stream."""
    body = environ["wsgi.input"].read(MAX_XML_BODY + 1)
    if len(body) > MAX_XML_BODY:
        return "An XML body may be at most 1 MB."
    if body.strip():
        try:
            safe_fromstring(body, forbid_dtd=True)
        except (ParseError, DefusedXmlException, ValueError):
            return "The XML body is not well-formed, or declares a DTD or entities, which the drive refuses."
    environ["wsgi.input"] = io.BytesIO(body)
    environ["CONTENT_LENGTH"] = str(len(body))
    return None


@csrf_exempt
def drive(request: HttpRequest, rest: str | None = None) -> HttpResponseBase:
    credentials = auth.sign_in(request)
    if isinstance(credentials, HttpResponse):
        return credentials
    method = request.method or "GET"
    if method not in READ_METHODS and not credentials.may_write:
        return _refuse(403, "This token is read-only: make a read-and-write token to change files on the drive.")
    problem = _path_problem(request.path) or _destination_problem(request)
    if problem:
        return _refuse(400, problem)
    if method == "PROPFIND":
        depth = request.META.get("HTTP_DEPTH", "").strip().lower()
        if depth == "infinity":
            return HttpResponse(
                '<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:"><D:propfind-finite-depth/>'
                "</D:error>\n", status=403, content_type="application/xml; charset=utf-8")
    ctx = context.DavContext(user=credentials.user, may_write=credentials.may_write,
                             client=client_name(request.META.get("HTTP_USER_AGENT", "")))
    environ = dict(request.environ)  # type: ignore[attr-defined]  # WsgiDAV rewrites PATH_INFO and SCRIPT_NAME: not Django's copy
    # WsgiDAV expects PATH_INFO as WSGI gives it (UTF-8 bytes read as Latin-1) and re-encodes it; servers and
    # Django's own handlers differ in what they leave there, so it is rebuilt from Django's decoded path.
    environ["PATH_INFO"] = request.path_info.encode("utf-8").decode("latin-1")
    body = _body(environ)
    if body is None:
        return _refuse(411, "This server needs a Content-Length for the body (chunked bodies need gunicorn).")
    environ["wsgi.input"] = body
    if method in XML_METHODS and (problem := _checked_xml(environ)):
        return _refuse(413 if "1 MB" in problem else 400, problem)
    if method == "PROPFIND" and not environ.get("HTTP_DEPTH"):
        environ["HTTP_DEPTH"] = "1"  # RFC 4918 says infinity, which we do not serve; clients mean a listing
    environ.update({"wsgidav.auth.user_name": credentials.user.username, "wsgidav.auth.realm": auth.REALM,
                    "wsgidav.auth.roles": (), "wsgidav.auth.permissions": (), "dam.ctx": ctx})
    ctx.environ = environ
    return _respond(environ, ctx)


def _respond(environ: dict[str, Any], ctx: context.DavContext) -> HttpResponseBase:
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        started["status"], started["headers"] = status, headers

    reset = context.current.set(ctx)
    try:
        answer = dav_app()(environ, start_response)
        chunks = iter(answer)
        # WsgiDAV answers from a generator: the work (and start_response) happens at its first step.
        first = next(chunks, b"")
    finally:
        context.current.reset(reset)
    code, _, reason = started["status"].partition(" ")

    def stream() -> Iterator[bytes]:
        try:
            if first:
                yield first
            yield from chunks
        finally:
            if hasattr(answer, "close"):
                answer.close()

    response = StreamingHttpResponse(stream(), status=int(code), reason=reason or None)
    del response["Content-Type"]
    for name, value in started["headers"]:
        if name.lower() not in HOP_BY_HOP:
            response[name] = value
    return response
