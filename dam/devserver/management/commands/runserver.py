"""`runserver` that takes request bodies sent with `Transfer-Encoding: chunked`.

macOS Finder writes files to the WebDAV drive chunked, with no Content-Length. gunicorn decodes such a body
and says so (`wsgi.input_terminated`); Django's development server hands the app an empty body instead, so
under `make run` the drive could only refuse Finder's saves. This server decodes the chunks with werkzeug's
`DechunkedInput` (the decoder of werkzeug's own development server) and closes the connection after such a
request: a body the app did not read to its end can then never be taken for the next request.
"""
from __future__ import annotations

import io
from typing import Any
from wsgiref import simple_server

from django.core.servers import basehttp
from werkzeug.serving import DechunkedInput
from whitenoise.runserver_nostatic.management.commands.runserver import Command as WhitenoiseRunserver


def _chunked(environ: dict[str, Any]) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


class DechunkingServerHandler(basehttp.ServerHandler):
    def __init__(self, stdin: Any, stdout: Any, stderr: Any, environ: dict[str, Any], **kwargs: Any) -> None:
        if not _chunked(environ):
            super().__init__(stdin, stdout, stderr, environ, **kwargs)
            return
        environ["wsgi.input_terminated"] = True  # the stream ends where the body does
        # Django's handler would cut the body to its Content-Length, which a chunked request does not have.
        body = io.BufferedReader(DechunkedInput(stdin))  # type: ignore[type-var]  # a RawIOBase, as it needs
        simple_server.ServerHandler.__init__(self, body, stdout, stderr,
                                             environ, **kwargs)


class DechunkingRequestHandler(basehttp.WSGIRequestHandler):
    def handle_one_request(self) -> None:
        # Django's own, with the handler above.
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        environ = self.get_environ()
        handler = DechunkingServerHandler(self.rfile, self.wfile, self.get_stderr(), environ)
        handler.request_handler = self  # type: ignore[attr-defined]  # Django's back-pointer for logging
        handler.run(self.server.get_app())  # type: ignore[attr-defined]
        if _chunked(environ):
            self.close_connection = True


class DechunkingWSGIServer(basehttp.WSGIServer):
    def __init__(self, server_address: Any, request_handler: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(server_address, DechunkingRequestHandler, *args, **kwargs)


class Command(WhitenoiseRunserver):
    server_cls = DechunkingWSGIServer
