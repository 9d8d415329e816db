"""Searches are recorded once per search, on the page and through the API alike; result links mark them opened;
the search panels count them."""
from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError
from django.utils import timezone

from analytics.selectors import ReportQuery, report
from search import services as search_services
from search.models import SearchEvent
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def harbour(people):
    return make_asset(people["editor"], title="Harbour at dawn", approved=True)


def test_a_page_search_is_recorded_once_for_its_pages_sorts_and_reloads(web, harbour):
    client = web("viewer")
    client.get("/assets/")  # plain browsing: not a search
    client.get("/assets/?page=1")
    assert SearchEvent.objects.count() == 0
    for url in ("/assets/?q=Harbour", "/assets/?q=Harbour&page=2", "/assets/?q=harbour&ordering=title",
                "/assets/?q=Harbour&view=table"):
        client.get(url)
    event = SearchEvent.objects.get()
    assert (event.query, event.filters, event.result_count, event.source) == ("harbour", {}, 1, "page")
    assert event.user is None  # DAM_ANALYTICS_RECORD_SEARCH_USERS is off by default
    client.get("/assets/?q=bridge")
    client.get("/assets/?q=Harbour")  # the same words again after another search: a new search
    assert list(SearchEvent.objects.order_by("pk").values_list("query", "result_count")) == [
        ("harbour", 1), ("bridge", 0), ("harbour", 1)]


def test_filters_alone_are_a_search(web, harbour):
    web("viewer").get("/assets/?type=image")
    assert SearchEvent.objects.get().filters == {"type": "image"}


def test_an_api_search_is_recorded_on_its_first_page_only(api, harbour):
    assert api["viewer"].get("/api/v1/assets/?q=harbour").status_code == 200
    api["viewer"].get("/api/v1/assets/?q=harbour&page=2")
    api["viewer"].get("/api/v1/assets/")
    event = SearchEvent.objects.get()
    assert (event.query, event.result_count, event.source) == ("harbour", 1, "api")


def test_the_searcher_is_kept_only_when_the_setting_says_so(settings, web, people, harbour):
    settings.DAM_ANALYTICS_RECORD_SEARCH_USERS = True
    web("viewer").get("/assets/?q=harbour")
    assert SearchEvent.objects.get().user == people["viewer"]


def test_opening_a_result_marks_the_search_opened(web, harbour):
    client = web("viewer")
    page = client.get("/assets/?q=harbour").content.decode()
    event = SearchEvent.objects.get()
    link = f"/assets/search/result/{event.pk}/{harbour.uid}/"
    assert link in page
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == harbour.get_absolute_url()
    event.refresh_from_db()
    assert event.opened_at is not None


def test_a_failed_recording_never_fails_the_search(web, harbour, monkeypatch, caplog):
    def broken(**kwargs):
        raise DatabaseError("disk I/O error")
    monkeypatch.setattr(SearchEvent.objects, "create", broken)
    response = web("viewer").get("/assets/?q=harbour")
    assert response.status_code == 200 and "Harbour at dawn" in response.content.decode()
    assert "Could not record a search" in caplog.text


def test_old_searches_are_purged(settings):
    now = timezone.now()
    for days in (10, 800):
        SearchEvent.objects.create(query="harbour", result_count=1, created_at=now - dt.timedelta(days=days))
    assert search_services.search_events_purge(now=now) == 1
    assert SearchEvent.objects.get().created_at == now - dt.timedelta(days=10)


def test_search_panels_count_the_recorded_searches(people):
    now = timezone.now()
    plan = [("harbour", 3, True), ("harbour", 0, False), ("harbour", 2, False), ("unicorn", 0, False),
            ("unicorn", 0, False), ("bridge", 4, False), ("", 5, False)]
    for n, (words, found, opened) in enumerate(plan):
        SearchEvent.objects.create(query=words, result_count=found, created_at=now - dt.timedelta(hours=n + 1),
                                   opened_at=now if opened else None)
    SearchEvent.objects.create(query="harbour", result_count=0, created_at=now - dt.timedelta(days=40))
    data = report(people["librarian"], ReportQuery.last(30, now=now),
                  ["top_searches", "no_result_searches", "unopened_searches"])
    assert [(r["query"], r["count"], r["no_results"]) for r in data["top_searches"]] == [
        ("harbour", 3, 1), ("unicorn", 2, 2), ("bridge", 1, 0)]
    assert [(r["query"], r["count"]) for r in data["no_result_searches"]] == [("unicorn", 2), ("harbour", 1)]
    # "harbour" found things twice and was opened once: not unopened; "bridge" found 4 and nobody opened one.
    assert [(r["query"], r["count"], r["results"]) for r in data["unopened_searches"]] == [("bridge", 1, 4)]
