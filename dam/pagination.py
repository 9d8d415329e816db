"""Pagination helpers shared by the UI and the API."""
from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator


class CountedPaginator(Paginator):
    """A Paginator told its row count by a query that has already counted the same rows.

    Counting a search means running it again (full-text match, permission filter and
    all); the facet statement counts the matches anyway, so the list page and the
    API pass that number on instead.
    """

    def __init__(self, *args: Any, count: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property: this is its cached value
