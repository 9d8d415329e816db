"""The stand-in Postiz (tests/connections/postiz_standin.py), running on loopback for one test."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.connections.postiz_standin import PostizStandIn


@pytest.fixture
def postiz(settings) -> Iterator[PostizStandIn]:
    """A stand-in Postiz at `postiz.url` (loopback, allowed for outbound calls in this test), key `postiz.key`."""
    settings.DAM_WEBHOOK_ALLOW_HOSTS = [*settings.DAM_WEBHOOK_ALLOW_HOSTS, "127.0.0.1"]
    standin = PostizStandIn()
    yield standin
    standin.stop()
