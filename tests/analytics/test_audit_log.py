"""The audit log (/audit/, GET /api/v1/audit/): admins only, every filter, the exports, sentences not codes."""
from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accounts.audit import record
from accounts.models import AuditEvent
from tests.factories import library, make_asset, make_collection
from workflows import services as workflow
from workflows.models import Review

NON_ADMINS = ("librarian", "brand_manager", "editor", "contributor", "viewer", "outsider")


def _at(event: AuditEvent, moment: datetime) -> None:
    # created_at is set on insert; the test moves it instead of waiting.
    AuditEvent.objects.filter(pk=event.pk).update(created_at=moment)


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def trail(people):
    """An asset taken through review in a folder, another elsewhere, and events on chosen days."""
    folder = make_collection("Campaigns", parent=library())
    below = make_collection("Spring", parent=folder)
    harbour = make_asset(people["contributor"], below, title="Harbour at dawn")
    elsewhere = make_asset(people["contributor"], title="Mountain")
    version = harbour.current_version
    workflow.version_submit(version_id=version.pk, actor=people["contributor"])
    workflow.version_reject(version_id=version.pk, actor=people["editor"], comment="Off brand, café colours.")
    review = Review.objects.get(version=version)
    AuditEvent.objects.all().delete()  # only the events below, with known days
    day = timezone.make_aware(datetime(2026, 3, 10, 12))
    events = {
        "rejected": record("workflows.version.rejected", actor=people["editor"], target=harbour, version=1,
                           comment="Off brand, café colours."),
        "on_version": record("assets.renditions.retried", actor=people["admin"], target=version, version=1,
                             presets=["thumb"]),
        "on_review": record("workflows.version.withdrawn", actor=people["contributor"], target=review, version=1,
                            reason="Wrong file"),
        "other": record("assets.asset.updated", actor=people["admin"], target=elsewhere,
                        changes={"title": ["Mount", "Mountain"]}),
        "folder": record("assets.collection.created", actor=people["admin"], target=folder),
        "formula": record("assets.asset.updated", actor=None, target=elsewhere,
                          changes={"title": ["=HYPERLINK(\"http://evil.example\")", "Mountain"]}),
    }
    for offset, event in enumerate(events.values()):
        _at(event, day + timedelta(days=offset))
    return {"harbour": harbour, "elsewhere": elsewhere, "folder": folder, "events": events, "day": day}


def test_only_admins_read_the_audit_log(api, web, trail):
    assert api["admin"].get("/api/v1/audit/").status_code == 200
    assert web("admin").get("/audit/").status_code == 200
    for role in NON_ADMINS:
        assert api[role].get("/api/v1/audit/").status_code == 403, role
        assert api[role].get("/api/v1/audit/?format=csv").status_code == 403, role
        client = web(role)
        assert client.get("/audit/").status_code == 403, role
        assert client.get("/audit/export.jsonl").status_code == 403, role


def test_each_event_carries_its_sentence_and_labelled_fields(api, trail):
    rows = api["admin"].get("/api/v1/audit/").json()["results"]
    rejected = next(r for r in rows if r["id"] == trail["events"]["rejected"].pk)
    assert rejected == {
        "id": rejected["id"], "at": rejected["at"], "actor": "editor", "actor_name": "editor",
        "action": "workflows.version.rejected", "action_label": "Revision rejected", "object_type": "asset",
        "object_id": str(trail["harbour"].pk), "object": "Harbour at dawn",
        "text": "editor rejected v1 of “Harbour at dawn”",
        "fields": [{"label": "Decision note", "value": "Off brand, café colours."}],
    }


def test_filters_by_actor_and_action(api, trail, people):
    events = trail["events"]
    assert _ids(api["admin"].get("/api/v1/audit/?actor=editor")) == {events["rejected"].pk}
    assert _ids(api["admin"].get("/api/v1/audit/?action=assets.asset.updated")) == {
        events["other"].pk, events["formula"].pk}
    unknown = api["admin"].get("/api/v1/audit/?actor=nobody")
    assert unknown.status_code == 400 and "nobody" in unknown.json()["errors"]["actor"][0]
    assert api["admin"].get("/api/v1/audit/?action=assets.").status_code == 400  # a prefix is not an action


def test_an_asset_uid_finds_the_events_about_the_asset_its_versions_and_its_reviews(api, trail):
    events = trail["events"]
    found = _ids(api["admin"].get(f"/api/v1/audit/?object={trail['harbour'].uid}"))
    assert found == {events["rejected"].pk, events["on_version"].pk, events["on_review"].pk}


def test_object_text_matches_names(api, trail):
    assert _ids(api["admin"].get("/api/v1/audit/?object=mountain")) == {
        trail["events"]["other"].pk, trail["events"]["formula"].pk}


def test_a_folder_finds_the_events_about_it_and_the_assets_in_it_and_below(api, trail):
    events = trail["events"]
    found = _ids(api["admin"].get(f"/api/v1/audit/?collection={trail['folder'].pk}"))
    assert found == {events["rejected"].pk, events["folder"].pk}


def test_dates_take_whole_days(api, trail):
    events = trail["events"]
    found = _ids(api["admin"].get("/api/v1/audit/?since=2026-03-11&until=2026-03-12"))
    assert found == {events["on_version"].pk, events["on_review"].pk}


@pytest.mark.parametrize("query", ["since=yesterday", "until=2026-13-01", "since=2026-03-12&until=2026-03-11"])
def test_bad_dates_are_a_400_with_the_reason(api, trail, query):
    response = api["admin"].get(f"/api/v1/audit/?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] and set(body["errors"]) <= {"since", "until"}


def test_q_searches_names_and_details_on_either_database(api, trail):
    events = trail["events"]
    assert _ids(api["admin"].get("/api/v1/audit/?q=café")) == {events["rejected"].pk}  # non-ASCII in the details
    assert _ids(api["admin"].get("/api/v1/audit/?q=WRONG FILE")) == {events["on_review"].pk}
    assert _ids(api["admin"].get("/api/v1/audit/?q=harbour")) == {  # the object's name (a review's names its asset)
        events["rejected"].pk, events["on_version"].pk, events["on_review"].pk}


def test_csv_export_holds_the_sentences_with_formulas_neutralised(api, trail):
    response = api["admin"].get("/api/v1/audit/?format=csv&object=mountain")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().splitlines()
    assert lines[0] == '"When","Who","Action","Object type","Object","What happened","Details"'
    assert len(lines) == 3
    assert '"The system edited “Mountain”"' in text and '"admin edited “Mountain”"' in text
    assert "assets.asset.updated" not in text
    assert "Title: “=HYPERLINK" in text  # inside a sentence, not the start of a cell


def test_jsonl_export_streams_one_event_a_line_with_the_same_filters(api, trail):
    response = api["admin"].get("/api/v1/audit/?format=jsonl&actor=admin")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/jsonl")
    rows = [json.loads(line) for line in b"".join(response.streaming_content).decode().splitlines()]
    assert {row["id"] for row in rows} == {trail["events"][k].pk for k in ("on_version", "other", "folder")}
    assert all(row["text"] and row["actor"] == "admin" for row in rows)


def test_the_page_shows_sentences_filters_and_errors_inline(web, trail):
    client = web("admin")
    page = client.get("/audit/").content.decode()
    assert "editor rejected v1 of “Harbour at dawn”" in page
    assert "Revision rejected" in page and "workflows.version.rejected" not in page.split("<tbody>")[1]
    bad = client.get("/audit/?since=2026-03-12&until=2026-03-11")
    assert bad.status_code == 400
    assert "The end of the period is before its start." in bad.content.decode()
    export = client.get("/audit/export.csv?actor=editor")
    assert export.status_code == 200
    assert "editor rejected" in b"".join(export.streaming_content).decode()


def test_the_old_audit_address_leads_to_the_new_log(web, trail):
    client = web("admin")
    assert client.get("/accounts/admin/audit/").url == "/audit/"
    assert client.get("/accounts/admin/audit/?verb=assets.asset.updated").url == "/audit/?action=assets.asset.updated"


def test_the_sidebar_offers_the_audit_log_to_admins_only(web, people):
    assert 'href="/audit/"' in web("admin").get("/").content.decode()
    assert 'href="/audit/"' not in web("librarian").get("/").content.decode()
