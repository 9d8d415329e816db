"""Writing the daily rollups (analytics.models.rollups): the hourly job, `manage.py analytics_rollup`, and the
late opening of a search result.

A day is rolled up once it is over in the project's time zone. Rolling a day replaces its rows whole, from the
raw events, in one transaction that also moves the table's RollupMark; so a day can be rolled again (a
backfill) and a job killed half-way leaves every day either rolled or not. The mark's row is locked while a
day is written, and `search_opened_late` takes the same lock: an opening is counted exactly once, by the
rollup's read of the raw events or by the late increment, never by both or neither.

No audit event is written: rollups are copies of events already recorded, made by no one.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone

from analytics.models import DownloadCollectionDay, DownloadDay, RollupMark, SearchDay
from analytics.selectors.downloads import CHANNEL
from analytics.selectors.rolled import midnight
from distribution.models import DownloadEvent
from search.models import SearchEvent

# The hourly job stops starting new days after this long (django-q2 kills a task at 300 s); the next run goes on.
JOB_BUDGET_S = 200


def _day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    return midnight(day), midnight(day + dt.timedelta(days=1))


def _roll_downloads(day: dt.date) -> int:
    start, end = _day_bounds(day)
    # Rows of purged assets (asset null) stay: their raw events are gone, their counts are kept on purpose.
    DownloadDay.objects.filter(day=day, asset__isnull=False).delete()
    rows = (DownloadEvent.objects.order_by().filter(created_at__gte=start, created_at__lt=end)
            .annotate(via=CHANNEL).values("asset_id", "asset__collection_id", "via").annotate(n=Count("pk")))
    DownloadDay.objects.bulk_create(
        [DownloadDay(day=day, asset_id=r["asset_id"], collection_id=r["asset__collection_id"], channel=r["via"],
                     count=r["n"]) for r in rows], batch_size=2000)
    # From the day's DownloadDay rows, the purged assets' included, so rolling a day again keeps their counts.
    DownloadCollectionDay.objects.filter(day=day).delete()
    totals = DownloadDay.objects.filter(day=day).values("collection_id", "channel").annotate(n=Sum("count"))
    DownloadCollectionDay.objects.bulk_create([
        DownloadCollectionDay(day=day, collection_id=t["collection_id"], channel=t["channel"], count=t["n"])
        for t in totals])
    return sum(t["n"] for t in totals)


def _roll_searches(day: dt.date) -> int:
    start, end = _day_bounds(day)
    SearchDay.objects.filter(day=day).delete()
    rows = (SearchEvent.objects.order_by().filter(created_at__gte=start, created_at__lt=end).exclude(query="")
            .annotate(found=Q(result_count__gt=0)).values("query", "source", "found")
            .annotate(n=Count("pk"), opened=Count("pk", filter=Q(opened_at__isnull=False)),
                      max_results=Max("result_count"), last_at=Max("created_at")))
    SearchDay.objects.bulk_create(
        [SearchDay(day=day, query=r["query"], source=r["source"], found=r["found"], count=r["n"],
                   opened=r["opened"], max_results=r["max_results"], last_at=r["last_at"]) for r in rows],
        batch_size=2000)
    return sum(r["n"] for r in rows)


ROLLERS: dict[str, Callable[[dt.date], int]] = {
    RollupMark.Name.DOWNLOADS: _roll_downloads,
    RollupMark.Name.SEARCHES: _roll_searches,
}
FIRST_EVENT: dict[str, Callable[[], dt.datetime | None]] = {
    RollupMark.Name.DOWNLOADS: lambda: DownloadEvent.objects.aggregate(first=Min("created_at"))["first"],
    RollupMark.Name.SEARCHES: lambda: SearchEvent.objects.aggregate(first=Min("created_at"))["first"],
}


def last_closed_day(now: dt.datetime | None = None) -> dt.date:
    """Yesterday in the project's time zone: the last day that is over."""
    return timezone.localdate(now or timezone.now()) - dt.timedelta(days=1)


def rollup_day(name: str, day: dt.date, *, now: dt.datetime | None = None) -> int:
    """Replace one closed day's rollup rows of `name` from the raw events; the events counted. The mark moves
    to `day` when the day follows it (or there is none yet)."""
    if day > last_closed_day(now):
        raise ValueError(f"{day} is not over yet; only days that are over are rolled up.")
    with transaction.atomic():
        mark = RollupMark.objects.select_for_update().filter(name=name).first()
        counted = ROLLERS[name](day)
        stamp = now or timezone.now()
        if mark is None:
            RollupMark.objects.create(name=name, through=day, rolled_at=stamp)
        elif day == mark.through + dt.timedelta(days=1):
            RollupMark.objects.filter(pk=mark.pk).update(through=day, rolled_at=stamp)
        return counted


def days_to_roll(name: str, *, since: dt.date | None = None, now: dt.datetime | None = None) -> list[dt.date]:
    """The days `catch_up` would roll: from `since` (or the first day after the mark, or the first event's
    day), whichever is earlier, through yesterday."""
    last = last_closed_day(now)
    mark = RollupMark.objects.filter(name=name).values_list("through", flat=True).first()
    if mark is not None:
        first = mark + dt.timedelta(days=1)
    else:  # nothing rolled yet: from the first event (a mark means every day before it is rolled)
        first_event = FIRST_EVENT[name]()
        first = timezone.localdate(first_event) if first_event else last + dt.timedelta(days=1)
    if since is not None:
        first = min(first, since)
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def catch_up(*, since: dt.date | None = None, now: dt.datetime | None = None,
             budget_s: float | None = None) -> dict[str, int]:
    """Roll up every day not rolled yet (and again from `since`, a backfill) through yesterday, for downloads
    and searches; how many days each. With `budget_s`, stops starting days after that many seconds."""
    started = time.monotonic()
    rolled = {}
    for name in ROLLERS:
        rolled[name] = 0
        for day in days_to_roll(name, since=since, now=now):
            if budget_s is not None and time.monotonic() - started > budget_s:
                break
            rollup_day(name, day, now=now)
            rolled[name] += 1
        else:
            if not RollupMark.objects.filter(name=name).exists():  # no events ever: nothing before yesterday
                RollupMark.objects.create(name=name, through=last_closed_day(now), rolled_at=now or timezone.now())
    prune_searches(now=now)
    return rolled


def prune_searches(*, now: dt.datetime | None = None) -> int:
    """Drop the rolled-up searches of the days whose raw searches are deleted (DAM_SEARCH_EVENTS_KEEP_DAYS), so
    the search panels cover the same days rolled up or not."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.DAM_SEARCH_EVENTS_KEEP_DAYS)
    deleted, _ = SearchDay.objects.filter(day__lt=timezone.localdate(cutoff)).delete()
    return deleted


def search_opened_late(*, event_id: int) -> None:
    """A result of search `event_id` was opened (search.signals.search_opened): when the search's day is rolled
    up already, count the opening in its row, which the rollup's read of the raw events can no longer see."""
    event = SearchEvent.objects.filter(pk=event_id).exclude(query="").values(
        "query", "source", "result_count", "created_at").first()
    if event is None:
        return
    day = timezone.localdate(event["created_at"])
    with transaction.atomic():
        mark = RollupMark.objects.select_for_update().filter(name=RollupMark.Name.SEARCHES).first()
        if mark is not None and day <= mark.through:
            SearchDay.objects.filter(day=day, query=event["query"], source=event["source"],
                                     found=event["result_count"] > 0).update(opened=F("opened") + 1)
