"""Fixtures of the connection tests: the stand-in Postiz (tests/connections/postiz_standin.py), running on
loopback for one test, and the real WordPress site (tests/connections/wordpress_site.py)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connections.postiz_standin import PostizStandIn
from tests.connections.wordpress_site import wordpress  # noqa: F401  (a fixture, offered to these tests)


@pytest.fixture
def postiz(settings) -> Iterator[PostizStandIn]:
    """A stand-in Postiz at `postiz.url` (loopback, allowed for outbound calls in this test), key `postiz.key`."""
    settings.DAM_WEBHOOK_ALLOW_HOSTS = [*settings.DAM_WEBHOOK_ALLOW_HOSTS, "127.0.0.1"]
    standin = PostizStandIn()
    yield standin
    standin.stop()
