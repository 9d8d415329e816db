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


def test_ids_from_elsewhere_are_fetched_through_the_rows_queryset_only(people):
    """`ids` gives the order (orphans and the last page as Django's own); `rows` decides which rows may be shown."""
    assets = [make_asset(people["admin"], title=title) for title in ["One", "Two", "Three", "Four", "Five"]]
    hidden = assets[2]
    ids = Asset.objects.order_by("-id").values_list("pk", flat=True)  # includes the hidden one
    shown = Asset.objects.exclude(pk=hidden.pk)
    paginator = CountedPaginator(shown.order_by("-id"), 2, orphans=1, count=5, ids=ids, rows=shown)
    assert paginator.num_pages == 2
    assert [a.pk for a in paginator.page(1)] == [assets[4].pk, assets[3].pk]
    assert [a.pk for a in paginator.page(2)] == [assets[1].pk, assets[0].pk]  # 3 ids, the hidden one dropped
    empty = CountedPaginator(Asset.objects.none(), 2, count=0, ids=ids, rows=shown)
    assert list(empty.page(1)) == []
