"""dam.pagination.CountedPaginator: pages found by id, then fetched whole, are the queryset's own slices."""
from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from assets.models import Asset
from dam.pagination import CountedPaginator
from tests.factories import make_asset


def test_pages_hold_the_same_rows_in_the_same_order_as_slices(people):
    for title in ["Delta", "alpha", "Echo", "Bravo", "Charlie", "Foxtrot", "Golf"]:
        make_asset(people["admin"], title=title)
    ordered = Asset.objects.select_related("current_version").order_by("-title", "id")
    paginator = CountedPaginator(ordered, 3, count=ordered.count())
    for number in paginator.page_range:
        page = paginator.page(number)
        expected = list(ordered[(number - 1) * 3:number * 3])
        assert [a.pk for a in page] == [a.pk for a in expected]
    with CaptureQueriesContext(connection) as ctx:  # the joined columns came with the second query
        page = paginator.page(1)
        [a.current_version.sha256 for a in page]
    assert len(ctx) == 2


def test_a_known_count_is_not_counted_again(people):
    make_asset(people["admin"], title="One")
    paginator = CountedPaginator(Asset.objects.order_by("id"), 10, count=1)
    with CaptureQueriesContext(connection) as ctx:
        assert paginator.count == 1
    assert len(ctx) == 0
