"""`make run`'s runserver takes chunked request bodies, as macOS Finder sends its saves to the drive."""
from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator

import pytest

from dam.devserver.management.commands.runserver import DechunkingWSGIServer


def echo(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [f"{len(body)} {environ.get('wsgi.input_terminated', False)} {body[:12]!r}".encode()]


@pytest.fixture
def server() -> Iterator[int]:
    httpd = DechunkingWSGIServer(("127.0.0.1", 0), None)
    httpd.set_app(echo)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_port
    httpd.shutdown()
    httpd.server_close()


def test_a_chunked_body_reaches_the_app_whole(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    parts = [b"first part,", b"x" * 70_000, b"last"]
    connection.request("PUT", "/dav/Library/photo.jpg", body=iter(parts), encode_chunked=True)
    response = connection.getresponse()
    assert response.status == 200
    assert response.read() == f"{sum(map(len, parts))} True b'first part,x'".encode()


def test_a_body_with_a_length_is_read_as_before(server):
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    connection.request("PUT", "/dav/Library/photo.jpg", body=b"0123456789")
    response = connection.getresponse()
    assert response.read() == b"10 False b'0123456789'"
