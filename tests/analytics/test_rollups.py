"""Daily rollups: the report reads them for closed days and the raw events for the rest, with the same numbers.

Events are written at times the test chooses, in a time zone where the local day differs from the UTC day, then
rolled up; every panel that reads rollups must answer exactly as it did from the raw events alone.
"""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_q.models import Schedule

from accounts.roles import ROLE_GROUP_NAMES, Role
from analytics import rollups
from analytics.models import DownloadCollectionDay, DownloadDay, RollupMark, SearchDay
from analytics.selectors import ReportQuery, report
from analytics.selectors.rolled import midnight, split
from archive.retention import services as retention
from assets.services import collection_grant, collection_revoke
from distribution.models import DownloadEvent
from search import services as search_services
from search.models import SearchEvent
from tests.analytics.helpers import download, integration, share_link
from tests.factories import library, make_asset, make_collection

pytestmark = pytest.mark.django_db

ROLLED_PANELS = ["downloads_by_day", "top_assets", "top_collections", "never_downloaded", "top_searches",
                 "no_result_searches", "unopened_searches"]


@pytest.fixture(autouse=True)
def berlin(settings):
    """Local days that are not UTC days: an event at 23:30 UTC belongs to the next local day."""
    settings.TIME_ZONE = "Europe/Berlin"


def searched(query: str, when: dt.datetime, results: int = 3, *, source: str = "page",
             opened: bool = False) -> SearchEvent:
    return SearchEvent.objects.create(query=query, result_count=results, source=source, created_at=when,
                                      opened_at=when if opened else None)


def just_now() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=1)


def local(days_ago: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time `days_ago` days before today."""
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return midnight(day) + dt.timedelta(hours=hour, minutes=minute)


@pytest.fixture
def library_with_events(people):
    """Two folders, the brand manager granted only "Ours"; downloads of every channel and searches of every
    kind over the last week, some around local midnight, some today."""
    ours, theirs = make_collection("Ours"), make_collection("Theirs")
    collection_revoke(collection=library(), level="view", actor=None,
                      group=Group.objects.get(name=ROLE_GROUP_NAMES[Role.BRAND_MANAGER]))
    collection_grant(collection=ours, level="view", actor=None, user=people["brand_manager"])
    editor = people["editor"]
    assets = {name: make_asset(editor, folder, title=name, approved=True)
              for name, folder in (("Harbour", ours), ("Bridge", ours), ("Quiet", ours), ("Secret", theirs),
                                   ("Other", theirs))}
    tool, link = integration(), share_link(assets["Harbour"], editor)
    for asset, times in (("Harbour", 9), ("Bridge", 4), ("Secret", 7), ("Other", 2)):
        for n in range(times):
            download(assets[asset], local(n % 6 + 1, 23, 30 - n))  # half an hour before local midnight: a UTC day apart
    download(assets["Harbour"], local(2, 0, 10), DownloadEvent.Channel.SHARE, share_link=link)
    download(assets["Harbour"], local(3, 12), DownloadEvent.Channel.DELIVERY)
    download(assets["Bridge"], local(1, 9), DownloadEvent.Channel.DELIVERY, integration=tool)
    download(assets["Secret"], just_now())  # today: never rolled up
    download(assets["Quiet"], local(40, 12))  # before the 30 days: "Quiet" is never downloaded in them
    for n in range(1, 7):
        searched("harbour", local(n, 22 if n % 2 else 0, 15), opened=n == 3)
        searched("unicorn", local(n, 23, 59), results=0)
    searched("bridge", local(1, 10))
    searched("bridge", local(4, 10), source="api")
    searched("sunset", local(2, 11), results=12)
    searched("sunset", local(5, 11), results=8)
    searched("", local(2, 12))  # filters only: in no list
    searched("harbour", just_now())  # today
    return assets


def whole_report(user, q: ReportQuery) -> dict:
    return report(user, q, ROLLED_PANELS)


@pytest.mark.parametrize("who", ["admin", "brand_manager"])
def test_the_report_is_the_same_from_rollups_as_from_the_raw_events(people, library_with_events, who):
    user = people[who]
    queries = [ReportQuery.last(30), ReportQuery.last(7),
               ReportQuery(start=midnight(timezone.localdate() - dt.timedelta(days=5)),
                           end=midnight(timezone.localdate() - dt.timedelta(days=1)))]
    raw = [whole_report(user, q) for q in queries]
    rolled = rollups.catch_up()
    assert rolled == {"downloads": 40, "searches": 6}  # from the first event's day through yesterday
    assert DownloadDay.objects.exists() and SearchDay.objects.exists()
    assert all(split(q, RollupMark.Name.DOWNLOADS).rolled for q in queries)
    assert [whole_report(user, q) for q in queries] == raw


def test_the_numbers_read_from_rollups_are_the_events_counted(people, library_with_events):
    rollups.catch_up()
    data = report(people["admin"], ReportQuery.last(30))
    assert sum(r["count"] for r in data["downloads_by_day"]) == DownloadEvent.objects.filter(
        created_at__gte=local(30, 0)).count() == 26
    assert [(r["title"], r["count"]) for r in data["top_assets"]] == [
        ("Harbour", 11), ("Secret", 8), ("Bridge", 5), ("Other", 2)]
    assert [(r["name"], r["count"]) for r in data["top_collections"]] == [("Ours", 16), ("Theirs", 10)]
    assert [r["title"] for r in data["never_downloaded"]] == ["Quiet"]
    assert {r["channel"] for r in data["downloads_by_day"]} == {"user", "share_link", "delivery", "integration"}
    # Half an hour before local midnight is the local day, not the UTC day (Berlin is ahead of UTC).
    two_days_ago = (timezone.localdate() - dt.timedelta(days=2)).isoformat()
    assert DownloadDay.objects.filter(day=two_days_ago, asset=library_with_events["Harbour"]).exists()
    assert {r["query"]: (r["count"], r["no_results"]) for r in data["top_searches"]} == {
        "harbour": (7, 0), "unicorn": (6, 6), "bridge": (2, 0), "sunset": (2, 0)}
    assert [(r["query"], r["count"]) for r in data["no_result_searches"]] == [("unicorn", 6)]
    assert dt.datetime.fromisoformat(data["no_result_searches"][0]["last_searched"]) == local(1, 23, 59)
    assert [(r["query"], r["count"], r["results"]) for r in data["unopened_searches"]] == [
        ("sunset", 2, 12), ("bridge", 1, 3)]


def test_the_brand_manager_sees_only_the_rolled_up_downloads_of_their_folder(people, library_with_events):
    rollups.catch_up()
    data = report(people["brand_manager"], ReportQuery.last(30))
    assert sum(r["count"] for r in data["downloads_by_day"]) == 16
    assert [r["title"] for r in data["top_assets"]] == ["Harbour", "Bridge"]
    assert [r["name"] for r in data["top_collections"]] == ["Ours"]
    assert [r["title"] for r in data["never_downloaded"]] == ["Quiet"]


def test_today_and_days_not_rolled_yet_are_read_from_the_raw_events(people, library_with_events):
    rollups.catch_up()
    RollupMark.objects.filter(name=RollupMark.Name.DOWNLOADS).update(
        through=timezone.localdate() - dt.timedelta(days=3))  # the job missed the last two days
    q = ReportQuery.last(30)
    before = whole_report(people["admin"], q)
    download(library_with_events["Other"], q.end - dt.timedelta(seconds=1))
    after = whole_report(people["admin"], q)
    assert sum(r["count"] for r in after["downloads_by_day"]) == sum(r["count"] for r in before["downloads_by_day"]) + 1
    DownloadDay.objects.filter(day__gt=timezone.localdate() - dt.timedelta(days=3)).delete()  # not read: raw instead
    assert whole_report(people["admin"], q) == after
    assert rollups.catch_up() == {"downloads": 2, "searches": 0}
    assert RollupMark.objects.get(name="downloads").through == timezone.localdate() - dt.timedelta(days=1)
    assert whole_report(people["admin"], q) == after


def test_rolling_a_day_again_replaces_its_rows(people, library_with_events):
    rollups.catch_up()
    rows = sorted(DownloadDay.objects.values_list("day", "asset_id", "channel", "count"))
    searches = sorted(SearchDay.objects.values_list("day", "query", "source", "found", "count", "opened"))
    assert rollups.catch_up() == {"downloads": 0, "searches": 0}
    for day in (1, 2, 3):
        rollups.rollup_day("downloads", timezone.localdate() - dt.timedelta(days=day))
        rollups.rollup_day("searches", timezone.localdate() - dt.timedelta(days=day))
    assert sorted(DownloadDay.objects.values_list("day", "asset_id", "channel", "count")) == rows
    assert sorted(SearchDay.objects.values_list("day", "query", "source", "found", "count", "opened")) == searches
    assert sum(DownloadCollectionDay.objects.values_list("count", flat=True)) == sum(r[3] for r in rows)
    with pytest.raises(ValueError, match="not over yet"):
        rollups.rollup_day("downloads", timezone.localdate())


def test_the_command_backfills_from_a_date(people, library_with_events):
    out = StringIO()
    call_command("analytics_rollup", stdout=out)
    assert "Rolled up 40 day(s) of downloads and 6 day(s) of searches" in out.getvalue()
    late = download(library_with_events["Other"], local(3, 8))  # an event that reached a closed day late
    q = ReportQuery.last(30)
    assert not any(r["title"] == "Other" and r["count"] == 3 for r in whole_report(people["admin"], q)["top_assets"])
    call_command("analytics_rollup", since=(timezone.localdate() - dt.timedelta(days=3)).isoformat(), stdout=out)
    assert "Rolled up 3 day(s) of downloads and 3 day(s) of searches" in out.getvalue()
    assert ("Other", 3) in [(r["title"], r["count"]) for r in whole_report(people["admin"], q)["top_assets"]]
    assert DownloadDay.objects.filter(asset=late.asset, day=timezone.localdate() - dt.timedelta(days=3)).exists()


@pytest.mark.parametrize(("since", "message"), [
    ("last tuesday", "--since wants a date as YYYY-MM-DD, not 'last tuesday'."),
    ("2999-01-01", "2999-01-01 is not over yet; only days that are over are rolled up."),
])
def test_the_command_refuses_a_bad_date(since, message):
    with pytest.raises(CommandError, match=message.replace(".", r"\.").replace("(", r"\(")):
        call_command("analytics_rollup", since=since)
    assert not RollupMark.objects.exists()


def test_with_no_events_the_rollup_marks_yesterday_done(db):
    assert rollups.catch_up() == {"downloads": 0, "searches": 0}
    assert set(RollupMark.objects.values_list("name", "through")) == {
        ("downloads", timezone.localdate() - dt.timedelta(days=1)),
        ("searches", timezone.localdate() - dt.timedelta(days=1))}


def test_a_purged_asset_keeps_counting_in_the_totals_but_leaves_the_lists(people, library_with_events):
    rollups.catch_up()
    q = ReportQuery.last(30)
    before = report(people["admin"], q)
    secret = library_with_events["Secret"]
    retention.bin_purge(entry=retention.asset_bin(asset=secret, actor=people["admin"]), actor=people["admin"])
    after = report(people["admin"], q)
    total = [sum(r["count"] for r in data["downloads_by_day"]) for data in (before, after)]
    assert total[1] == total[0] - 1  # only Secret's download today (a raw event) went with the asset
    assert "Secret" not in [r["title"] for r in after["top_assets"]]
    assert ("Theirs", 9) in [(r["name"], r["count"]) for r in after["top_collections"]]
    assert DownloadDay.objects.filter(asset__isnull=True).exists()
    assert sum(r["count"] for r in report(people["brand_manager"], q)["downloads_by_day"]) == 16
    rollups.catch_up(since=timezone.localdate() - dt.timedelta(days=6))  # rolling again keeps the purged counts
    assert report(people["admin"], q)["downloads_by_day"] == after["downloads_by_day"]


def test_a_result_opened_after_its_day_was_rolled_up_counts(people, library_with_events):
    rollups.catch_up()
    q = ReportQuery.last(30)
    assert "sunset" in [r["query"] for r in report(people["admin"], q)["unopened_searches"]]
    sunset = SearchEvent.objects.filter(query="sunset").order_by("created_at").first()
    search_services.search_opened(event_id=sunset.pk)
    search_services.search_opened(event_id=sunset.pk)  # the first opening only
    opened = report(people["admin"], q)["unopened_searches"]
    assert "sunset" not in [r["query"] for r in opened]
    assert SearchDay.objects.get(query="sunset", day=timezone.localtime(sunset.created_at).date()).opened == 1
    SearchDay.objects.all().delete()
    RollupMark.objects.filter(name="searches").delete()
    assert report(people["admin"], q)["unopened_searches"] == opened  # the raw events say the same


def test_rolled_up_searches_go_when_the_raw_searches_do(settings, people):
    settings.DAM_SEARCH_EVENTS_KEEP_DAYS = 10
    searched("harbour", local(12, 12))
    searched("harbour", local(5, 12))
    rollups.catch_up()
    assert list(SearchDay.objects.values_list("day", flat=True)) == [timezone.localdate() - dt.timedelta(days=5)]


def test_the_rollup_job_is_scheduled_hourly(db):
    schedule = Schedule.objects.get(name="analytics-daily-rollups")
    assert (schedule.func, schedule.schedule_type) == ("analytics.tasks.rollups_catch_up_task", Schedule.HOURLY)


def test_the_job_rolls_up_the_closed_days(people, library_with_events):
    from analytics.tasks import rollups_catch_up_task

    assert rollups_catch_up_task() == {"downloads": 40, "searches": 6}
    assert RollupMark.objects.get(name="searches").through == timezone.localdate() - dt.timedelta(days=1)
