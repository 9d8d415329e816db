"""Reading a report's query: the form's errors on their fields, and GET /api/v1/analytics/ (400 and 403)."""
from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from analytics.forms import ReportQueryForm
from analytics.selectors import PANELS
from tests.factories import make_collection

pytestmark = pytest.mark.django_db


def form(user, query: str, **kwargs) -> ReportQueryForm:
    return ReportQueryForm(data=QueryDict(query), user=user, **kwargs)


def test_the_default_period_is_the_last_30_days(people):
    f = form(people["librarian"], "")
    assert f.is_valid()
    q = f.report_query()
    assert (q.period, q.label, q.end - q.start) == ("30d", "Last 30 days", dt.timedelta(days=30))


def test_custom_dates_cover_whole_local_days(people, settings):
    settings.TIME_ZONE = "Europe/Paris"
    timezone.activate("Europe/Paris")
    f = form(people["admin"], "period=custom&from=2026-03-01&to=2026-03-31&type=image")
    assert f.is_valid(), f.errors
    q = f.report_query()
    assert timezone.localtime(q.start).isoformat() == "2026-03-01T00:00:00+01:00"
    assert timezone.localtime(q.end).isoformat() == "2026-04-01T00:00:00+02:00"
    assert (q.type, q.label) == ("image", "1 Mar 2026 to 31 Mar 2026")
    timezone.deactivate()


@pytest.mark.parametrize(("query", "field", "message"), [
    ("period=fortnight", "period", "Choose a period"),
    ("period=custom&from=2026-03-10&to=2026-03-01", "to", "The period ends before it starts"),
    ("period=custom&from=2020-01-01&to=2025-01-02", "to", "at most 5 years"),
    ("period=custom&from=2026-03-10", "to", "Give the last day"),
    ("period=custom&from=yesterday&to=2026-03-01", "from", "as a date"),
    ("collection=999999", "collection", "no such collection"),
    ("term=999999", "term", "There is no such term"),
    ("type=hologram", "type", "There is no such asset type"),
])
def test_bad_queries_are_errors_on_their_field(people, query, field, message):
    f = form(people["admin"], query)
    assert not f.is_valid()
    assert message in " ".join(f.errors[field])


def test_exactly_five_years_is_allowed(people):
    assert form(people["admin"], "period=custom&from=2020-01-01&to=2025-01-01").is_valid()


def test_a_folder_the_user_cannot_see_is_unknown_to_them(people):
    secret = make_collection("Board")  # top level: not under the library the role groups see
    assert form(people["admin"], f"collection={secret.pk}").is_valid()
    assert "collection" in form(people["brand_manager"], f"collection={secret.pk}").errors


def test_the_api_returns_every_panel_and_the_period(api):
    response = api["brand_manager"].get("/api/v1/analytics/?period=7d&type=image")
    assert response.status_code == 200
    body = response.json()
    assert set(PANELS) <= set(body)
    assert body["period"]["period"] == "7d" and body["period"]["type"] == "image"


def test_the_api_returns_only_the_panels_asked_for(api):
    body = api["admin"].get("/api/v1/analytics/?panels=top_assets,storage").json()
    assert set(body) == {"period", "top_assets", "storage"}


@pytest.mark.parametrize(("query", "field"), [
    ("period=nonsense", "period"),
    ("period=custom&from=2026-03-10&to=2026-03-01", "to"),
    ("period=custom&from=2019-01-01&to=2026-01-01", "to"),
    ("collection=999999", "collection"),
    ("term=abc", "term"),
    ("colour=red", "non_field_errors"),
    ("panels=top_assets,gossip", "panels"),
])
def test_the_api_answers_bad_queries_with_400(api, query, field):
    response = api["admin"].get(f"/api/v1/analytics/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert field in body["errors"] and body["detail"] == body["errors"][field][0]


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer", "outsider"])
def test_the_api_refuses_roles_without_analytics(api, role):
    response = api[role].get("/api/v1/analytics/?period=30d")
    assert response.status_code == 403 and response.json()["detail"]


def test_the_api_is_documented(api):
    schema = api["admin"].get("/api/v1/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/analytics/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"period", "from", "to", "collection", "type", "term",
                                                            "panels"}
