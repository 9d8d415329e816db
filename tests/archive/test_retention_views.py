"""Retention over the web pages, the API and the command: forms with inline errors, the dry-run page,
the confirmation, the hold buttons, and only admins."""
from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import AuditEvent
from archive.models import LegalHold, RetentionRule
from archive.retention import services
from assets.models import Asset
from tests.factories import make_asset, make_collection
from workflows import services as workflow

pytestmark = pytest.mark.django_db


def old(asset: Asset, days: int = 400) -> Asset:
    Asset.objects.filter(pk=asset.pk).update(created_at=timezone.now() - timedelta(days=days))
    return asset


def test_rule_form_shows_errors_inline_and_creates_nothing(web):
    client = web("admin")
    page = client.post("/archive/retention/new/", {"name": "", "action": "archive", "older_than_days": "-3"})
    assert page.status_code == 200
    assert b'class="field has-error' in page.content and b"This field is required." in page.content
    page = client.post("/archive/retention/new/", {"name": "Everything", "action": "archive"})
    assert b"at least one condition" in page.content
    page = client.post("/archive/retention/new/", {"name": "By term", "action": "bin", "terms": "Nonexistent"})
    assert "No term is called “Nonexistent”".encode() in page.content
    assert not RetentionRule.objects.exists()


def test_create_dry_run_and_enable_with_confirmation_in_the_ui(web, people, settings):
    settings.DAM_RETENTION_CONFIRM_OVER = 1
    folder = make_collection("Campaign")
    for n in range(2):
        old(make_asset(people["editor"], folder, approved=True, title=f"Poster {n}"))
    held = old(make_asset(people["editor"], folder, title="Held poster"))
    services.hold_place(actor=people["admin"], asset=held, reason="Claim")
    client = web("admin")
    response = client.post("/archive/retention/new/", {
        "name": "Unused campaign", "action": "archive", "collection": folder.pk, "not_downloaded_days": "365"})
    rule = RetentionRule.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/archive/retention/{rule.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "archive <strong>2</strong> assets" in page and "Poster 0" in page and "Poster 1" in page
    assert "Held poster" in page and "Under legal hold" in page
    assert "needs a second confirmation" in page and 'name="confirm" value="2"' in page
    refused = client.post(f"/archive/retention/{rule.pk}/enable/", follow=True)
    assert "more than 1" in refused.content.decode()
    rule.refresh_from_db()
    assert not rule.enabled
    client.post(f"/archive/retention/{rule.pk}/enable/", {"confirm": "2"})
    rule.refresh_from_db()
    assert rule.enabled and rule.confirmed_count == 2
    ran = client.post(f"/archive/retention/{rule.pk}/run/", follow=True).content.decode()
    assert "changed 2 assets and skipped 1" in ran
    assert Asset.objects.filter(archived_at__isnull=False).count() == 2
    listing = client.get("/archive/retention/").content.decode()
    assert "Unused campaign" in listing and "Changed 2 assets" in listing and "under legal hold" in listing


def test_dry_run_page_is_paged(web, people):
    for n in range(55):
        Asset.objects.filter(pk=make_asset(None, title=f"Item {n:02d}").pk).update(
            created_at=timezone.now() - timedelta(days=10))
    rule = services.rule_create(actor=people["admin"], name="All old", action="bin", older_than_days=5)
    first = web("admin").get(f"/archive/retention/{rule.pk}/").content.decode()
    assert "<strong>55</strong>" in first and "Page 1 of 2" in first
    second = web("admin").get(f"/archive/retention/{rule.pk}/?page=2").content.decode()
    assert second.count('<td><a href="/assets/') == 5


def test_hold_buttons_on_asset_and_folder_pages(web, people):
    folder = make_collection("Contracts")
    asset = make_asset(people["editor"], folder, approved=True)
    client = web("admin")
    assert b"Place a legal hold" in client.get(asset.get_absolute_url()).content
    client.post(f"/archive/holds/asset/{asset.uid}/", {"reason": "Litigation 2026-17"})
    page = client.get(asset.get_absolute_url()).content.decode()
    assert "Under legal hold" in page and "Litigation 2026-17" in page and "Lift the hold" in page
    empty = client.post(f"/archive/holds/collection/{folder.pk}/", {"reason": ""}, follow=True).content.decode()
    assert "Say why the legal hold is placed" in empty and not LegalHold.objects.filter(collection=folder).exists()
    client.post(f"/archive/holds/collection/{folder.pk}/", {"reason": "Audit"})
    assert "through the folder" in client.get(asset.get_absolute_url()).content.decode()
    hold = LegalHold.objects.get(asset=asset)
    client.post(f"/archive/holds/{hold.pk}/lift/", {"reason": "Settled", "next": asset.get_absolute_url()})
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lift_reason == "Settled"
    # Others see no hold panel and may not place one.
    assert b"Legal hold" not in web("editor").get(asset.get_absolute_url()).content
    assert web("librarian").post(f"/archive/holds/asset/{asset.uid}/", {"reason": "x"}).status_code == 403


def test_bin_and_purge_in_the_ui(web, people, django_capture_on_commit_callbacks):
    asset = make_asset(people["editor"], approved=True, title="Leaflet")
    client = web("admin")
    response = client.post(f"/archive/bin/asset/{asset.uid}/", {"reason": "Outdated"})
    assert response["Location"] == "/archive/bin/"
    page = client.get("/archive/bin/").content.decode()
    assert "Leaflet" in page and "Outdated" in page and "Purge now" in page
    entry = Asset.objects.get(pk=asset.pk).bin_entry
    confirm = client.get(f"/archive/bin/{entry.pk}/purge/").content.decode()
    assert "Purge “Leaflet” for good" in confirm and "Revision 1" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/archive/bin/{entry.pk}/purge/", follow=True).content.decode()
    assert "was purged for good" in done and not Asset.objects.filter(pk=asset.pk).exists()


@pytest.mark.parametrize("role", ["librarian", "brand_manager", "editor", "contributor", "viewer"])
def test_only_admins_reach_retention(web, api, people, role):
    rule = services.rule_create(actor=people["admin"], name="R", action="archive", older_than_days=1)
    asset = make_asset(people["editor"], approved=True)
    assert web(role).get("/archive/retention/").status_code == 403
    assert web(role).get(f"/archive/retention/{rule.pk}/").status_code in (403, 404)
    assert web(role).post(f"/archive/retention/{rule.pk}/enable/").status_code in (403, 404)
    assert api[role].get("/api/v1/retention-rules/").status_code == 403
    assert api[role].post("/api/v1/retention-rules/", {"name": "x", "action": "archive", "older_than_days": 1},
                          format="json").status_code == 403
    assert api[role].post(f"/api/v1/retention-rules/{rule.pk}/dry-run/").status_code in (403, 404)
    assert api[role].post("/api/v1/legal-holds/", {"asset": str(asset.uid), "reason": "x"},
                          format="json").status_code == 403
    rule.refresh_from_db()
    assert not rule.enabled and not LegalHold.objects.exists()


def test_rules_over_the_api(api, people, settings):
    settings.DAM_RETENTION_CONFIRM_OVER = 1
    for n in range(3):
        old(make_asset(people["editor"], title=f"Draft {n}"), 100)
    in_review = old(make_asset(people["editor"], title="Waiting"), 100)
    workflow.version_submit(version_id=in_review.current_version_id, actor=None)
    admin = api["admin"]
    bad = admin.post("/api/v1/retention-rules/", {"name": "Drafts", "action": "delete"}, format="json")
    assert bad.status_code == 400 and "action" in bad.json()["errors"]
    bad = admin.post("/api/v1/retention-rules/", {"name": "Drafts", "action": "bin"}, format="json")
    assert bad.status_code == 400 and "at least one condition" in bad.json()["detail"]
    created = admin.post("/api/v1/retention-rules/", {"name": "Drafts", "action": "bin", "older_than_days": 90},
                         format="json")
    assert created.status_code == 201 and created.json()["enabled"] is False
    pk = created.json()["id"]
    dup = admin.post("/api/v1/retention-rules/", {"name": "drafts", "action": "bin", "older_than_days": 9},
                     format="json")
    assert dup.status_code == 400 and "already has this name" in str(dup.json())
    dry = admin.post(f"/api/v1/retention-rules/{pk}/dry-run/?page_size=2").json()
    assert dry["count"] == 3 and dry["pages"] == 2 and len(dry["results"]) == 2 and dry["needs_confirmation"]
    assert dry["skipped"] == [{"uid": str(in_review.uid), "title": "Waiting",
                               "reason": "Its current revision is in review"}]
    refused = admin.post(f"/api/v1/retention-rules/{pk}/enable/", {}, format="json")
    assert refused.status_code == 409 and refused.json()["needs_confirmation"] and refused.json()["count"] == 3
    enabled = admin.post(f"/api/v1/retention-rules/{pk}/enable/", {"confirm": 3}, format="json")
    assert enabled.status_code == 200 and enabled.json()["enabled"]
    assert admin.post(f"/api/v1/retention-rules/{pk}/enable/", {"confirm": 3}, format="json").status_code == 409
    changed = admin.patch(f"/api/v1/retention-rules/{pk}/", {"older_than_days": 30}, format="json").json()
    assert changed["enabled"] is False and changed["older_than_days"] == 30
    assert admin.get("/api/v1/retention-rules/").json()["count"] == 1
    assert admin.delete(f"/api/v1/retention-rules/{pk}/").status_code == 204
    assert AuditEvent.objects.filter(verb="archive.retention.rule_deleted").exists()


def test_legal_holds_over_the_api(api, people):
    asset = make_asset(people["editor"])
    folder = make_collection("Board minutes")
    admin = api["admin"]
    assert admin.post("/api/v1/legal-holds/", {"reason": "x"}, format="json").status_code == 400
    assert admin.post("/api/v1/legal-holds/", {"asset": str(asset.uid)}, format="json").status_code == 400
    on_asset = admin.post("/api/v1/legal-holds/", {"asset": str(asset.uid), "reason": "Claim"}, format="json")
    assert on_asset.status_code == 201 and on_asset.json()["asset"] == str(asset.uid)
    twice = admin.post("/api/v1/legal-holds/", {"asset": str(asset.uid), "reason": "Claim"}, format="json")
    assert twice.status_code == 409
    on_folder = admin.post("/api/v1/legal-holds/", {"collection": folder.pk, "reason": "Audit"}, format="json")
    assert on_folder.status_code == 201
    assert len(admin.get("/api/v1/legal-holds/").json()["results"]) == 2
    lift = f"/api/v1/legal-holds/{on_asset.json()['id']}/lift/"
    assert admin.post(lift, {}, format="json").status_code == 400
    assert admin.post(lift, {"reason": "Settled"}, format="json").json()["lift_reason"] == "Settled"
    assert admin.post(lift, {"reason": "Again"}, format="json").status_code == 409
    assert len(admin.get("/api/v1/legal-holds/").json()["results"]) == 1
    assert len(admin.get("/api/v1/legal-holds/?all=1").json()["results"]) == 2


def test_apply_retention_command(people, django_capture_on_commit_callbacks):
    old(make_asset(people["editor"], title="Stale"), 100)
    held = old(make_asset(people["editor"], title="Disputed"), 100)
    services.hold_place(actor=people["admin"], asset=held, reason="Claim")
    rule = services.rule_create(actor=people["admin"], name="Stale drafts", action="bin", older_than_days=90)
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    assert "No retention rule is enabled." in out.getvalue()
    services.rule_enable(rule=rule, actor=people["admin"])
    out = StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Stale drafts: would move to the bin 1, skip 1." in text and "“Disputed”: Under legal hold" in text
    assert not Asset.objects.filter(binned_at__isnull=False).exists()
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("apply_retention", stdout=out)
    assert "Stale drafts: 1 changed, 1 skipped." in out.getvalue()
    assert list(Asset.objects.filter(binned_at__isnull=False).values_list("title", flat=True)) == ["Stale"]
    assert AuditEvent.objects.filter(verb="archive.asset.binned", data__rule="Stale drafts").count() == 1


def test_the_daily_schedules_exist():
    from django_q.models import Schedule

    funcs = dict(Schedule.objects.filter(func__startswith="archive.retention").values_list("func", "schedule_type"))
    assert funcs == {"archive.retention.tasks.apply_retention_task": "D",
                     "archive.retention.tasks.bin_purge_task": "D"}


def test_editing_an_enabled_rule_in_the_ui_disables_it_and_delete_asks_first(web, people):
    from taxonomy.models import Vocabulary
    from tests.factories import make_term

    term = make_term(Vocabulary.objects.create(title="Topics", uri="https://example.org/t/"), "Expired campaign")
    rule = services.rule_enable(rule=services.rule_create(actor=people["admin"], name="Old", action="archive",
                                                          older_than_days=400), actor=people["admin"])
    client = web("admin")
    form = client.get(f"/archive/retention/{rule.pk}/edit/").content.decode()
    assert 'value="400"' in form and "Changing its conditions disables it" in form
    saved = client.post(f"/archive/retention/{rule.pk}/edit/", {
        "name": "Old", "action": "archive", "older_than_days": "300", "terms": "expired CAMPAIGN"}, follow=True)
    assert "it was disabled" in saved.content.decode()
    rule.refresh_from_db()
    assert not rule.enabled and list(rule.terms.all()) == [term]
    assert "carrying “Expired campaign”" in saved.content.decode()
    assert b"Delete the rule" in client.get(f"/archive/retention/{rule.pk}/delete/").content
    assert RetentionRule.objects.filter(pk=rule.pk).exists()
    client.post(f"/archive/retention/{rule.pk}/delete/")
    assert not RetentionRule.objects.filter(pk=rule.pk).exists()
