"""Rights at full strength: licence list, rights fields, reminders once per threshold with the clock moved,
renewing, each collection's expiry action, release documents and who may do what."""
from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEvent
from archive.models import ReleaseDocument, RightsNotice
from archive.rights import services
from assets.models import Asset, LicenceType, RightsOnExpiry
from assets.services import collection_grant
from tests.factories import CORPUS, make_asset, make_collection, make_user
from workflows.models import Notification

T0 = timezone.now().replace(microsecond=0)


@contextmanager
def clock(at):
    """Move the clock: every timezone.now() (services, visibility, the job) answers `at`."""
    with mock.patch("django.utils.timezone.now", return_value=at):
        yield


def run_daily(at):
    with clock(at):
        return services.rights_daily()


@pytest.fixture
def folder(people):
    """A folder the roles see, whose manager is `marta` (an editor)."""
    collection = make_collection("Campaign 2027")
    from accounts.roles import Role
    marta = make_user("marta", Role.EDITOR)
    marta.email = "marta@example.com"
    marta.save(update_fields=["email"])
    collection_grant(collection=collection, level="manage", user=marta, actor=None)
    for name in ("librarian", "brand_manager", "editor", "contributor", "viewer"):
        collection_grant(collection=collection, level="view", user=people[name], actor=None)
    collection.marta = marta
    return collection


def expiring_asset(people, folder, days, **kwargs):
    people["contributor"].email = "cora@example.com"
    people["contributor"].save(update_fields=["email"])
    asset = make_asset(people["contributor"], folder, approved=True, **kwargs)
    Asset.objects.filter(pk=asset.pk).update(rights_expire_at=T0 + timedelta(days=days))
    asset.refresh_from_db()
    return asset


def test_licence_types_are_seeded_and_the_licence_comes_from_the_list(api, people):
    names = set(LicenceType.objects.values_list("name", flat=True))
    assert {"All rights reserved", "CC BY 4.0", "CC BY-SA 4.0", "CC0 1.0", "Editorial use only", "Royalty-free",
            "Rights-managed"} <= names
    listed = api["viewer"].get("/api/v1/rights/licence-types/").json()
    assert "CC BY 4.0" in [row["name"] for row in listed]
    asset = make_asset(people["editor"])
    url = f"/api/v1/assets/{asset.uid}/"
    refused = api["editor"].patch(url, {"rights": {"licence": "Whatever I like"}}, format="json")
    assert refused.status_code == 400
    assert "not in the list of licences" in refused.json()["errors"]["licence"][0]
    LicenceType.objects.filter(name="Rights-managed").update(active=False)
    assert api["editor"].patch(url, {"rights": {"licence": "Rights-managed"}}, format="json").status_code == 400
    ok = api["editor"].patch(url, {"rights": {
        "licence": "cc by-sa 4.0", "credit_line": "Photo: Port Agency / CC BY-SA", "regions": ["FR", "DE"],
        "rights_start": (T0 - timedelta(days=1)).isoformat(), "rights_expire_at": (T0 + timedelta(days=90)).isoformat(),
    }}, format="json")
    assert ok.status_code == 200, ok.json()
    rights = ok.json()["rights"]
    assert rights["licence"] == "CC BY-SA 4.0"  # the list's own spelling
    assert rights["credit_line"] == "Photo: Port Agency / CC BY-SA" and rights["regions"] == ["FR", "DE"]
    assert rights["model_release"] is False and rights["property_release"] is False
    backwards = api["editor"].patch(url, {"rights": {"rights_start": (T0 + timedelta(days=100)).isoformat()}},
                                    format="json")
    assert backwards.status_code == 400 and backwards.json()["errors"]["rights_start"] == [
        "The rights must start before they expire."]


def test_the_edit_form_offers_the_licence_list_and_the_new_fields(web, people):
    asset = make_asset(people["editor"])
    client = web("editor")
    page = client.get(f"/assets/{asset.uid}/edit/")
    assert page.status_code == 200
    assert b'<option value="CC0 1.0">' in page.content and b'name="credit_line"' in page.content
    assert b'name="regions"' in page.content and b'name="rights_start"' in page.content


def test_the_picker_credit_prefers_the_credit_line(people):
    from distribution.picker import credit

    asset = make_asset(people["editor"])
    Asset.objects.filter(pk=asset.pk).update(rights_holder="ACME", metadata={"credit": "Schema credit"})
    asset.refresh_from_db()
    assert credit(asset) == "Schema credit"
    asset.credit_line = "Photo: Jane Doe for ACME"
    assert credit(asset) == "Photo: Jane Doe for ACME"


def test_reminders_are_sent_once_at_each_threshold_and_start_again_when_renewed(
        people, folder, settings, django_capture_on_commit_callbacks):
    settings.DAM_RIGHTS_REMINDER_DAYS = (30, 7)
    asset = expiring_asset(people, folder, 40)
    owner, marta = people["contributor"], folder.marta

    assert run_daily(T0)["reminders"] == 0  # 40 days ahead: nothing due yet
    day_11 = T0 + timedelta(days=11)  # 29 days left
    with django_capture_on_commit_callbacks(execute=True):  # the e-mails are queued once the notice commits
        assert run_daily(day_11)["reminders"] == 1
    notes = Notification.objects.filter(verb="archive.rights.expiring")
    assert {n.recipient_id for n in notes} == {owner.pk, marta.pk}
    assert "expire in 29 days" in notes[0].message and asset.title in notes[0].message
    assert sorted(m.to[0] for m in mail.outbox) == ["cora@example.com", "marta@example.com"]
    assert run_daily(day_11)["reminders"] == 0  # a second run sends nothing
    assert run_daily(day_11 + timedelta(days=5))["reminders"] == 0  # still inside 30, already reminded

    day_34 = T0 + timedelta(days=34)  # 6 days left: the 7-day reminder
    assert run_daily(day_34)["reminders"] == 1
    assert run_daily(day_34 + timedelta(hours=12))["reminders"] == 0
    assert list(RightsNotice.objects.filter(asset=asset).order_by("-days").values_list("days", flat=True)) == [30, 7]
    assert Notification.objects.filter(verb="archive.rights.expiring", recipient=owner).count() == 2

    # Renewing gives a new date: its reminders start afresh.
    with clock(day_34):
        services.rights_renew(asset=asset, actor=marta, expires_at=day_34 + timedelta(days=20))
    assert run_daily(day_34 + timedelta(hours=1))["reminders"] == 1  # 20 days left: the 30-day one again
    assert Notification.objects.filter(verb="archive.rights.expiring", recipient=owner).count() == 3
    verbs = list(AuditEvent.objects.filter(target_id=str(asset.pk), verb__startswith="archive.rights")
                 .values_list("verb", flat=True))
    assert verbs.count("archive.rights.expiring") == 3 and "archive.rights.renewed" in verbs


def test_an_expiry_set_close_gets_only_the_nearest_reminder(people, folder, settings):
    settings.DAM_RIGHTS_REMINDER_DAYS = (30, 7)
    expiring_asset(people, folder, 5)
    assert run_daily(T0)["reminders"] == 1
    assert list(RightsNotice.objects.values_list("days", flat=True)) == [7]
    assert run_daily(T0 + timedelta(days=1))["reminders"] == 0


@pytest.mark.parametrize("action", [RightsOnExpiry.HIDE, RightsOnExpiry.ARCHIVE, RightsOnExpiry.NOTIFY])
def test_each_collection_expiry_action(action, people, folder, api):
    services.collection_set_expiry_action(collection=folder, actor=folder.marta, action=action)
    asset = expiring_asset(people, folder, 2)
    after = T0 + timedelta(days=3)
    with clock(after):
        # Hidden unless the collection keeps its expired assets in use.
        seen = api["viewer"].get(f"/api/v1/assets/{asset.uid}/").status_code
        assert seen == (200 if action == RightsOnExpiry.NOTIFY else 404)
    counts = run_daily(after)
    assert counts["expired"] == 1 and counts["archived"] == (1 if action == RightsOnExpiry.ARCHIVE else 0)
    asset.refresh_from_db()
    assert (asset.archived_at is not None) == (action == RightsOnExpiry.ARCHIVE)
    told = Notification.objects.get(verb="archive.rights.expired", recipient=people["contributor"])
    assert "expired" in told.message and asset.title in told.message
    if action == RightsOnExpiry.NOTIFY:
        assert "stays in use" in told.message
    if action == RightsOnExpiry.ARCHIVE:
        assert "moved to the archive" in told.message
        assert AuditEvent.objects.filter(verb="archive.asset.archived", target_id=str(asset.pk)).exists()
    assert run_daily(after + timedelta(days=1)) == {"reminders": 0, "expired": 0, "archived": 0}
    assert RightsNotice.objects.get(asset=asset, kind="expired").action == action


def test_the_daily_schedule_exists(db):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="archive.rights.tasks.rights_daily_task")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1


def test_reminder_days_setting_refuses_bad_values(monkeypatch):
    from dam.settings import env_reminder_days

    monkeypatch.setenv("DAM_RIGHTS_REMINDER_DAYS", "60, 14,1")
    assert env_reminder_days("DAM_RIGHTS_REMINDER_DAYS", "30,7") == (60, 14, 1)
    monkeypatch.delenv("DAM_RIGHTS_REMINDER_DAYS")
    assert env_reminder_days("DAM_RIGHTS_REMINDER_DAYS", "30,7") == (30, 7)
    for bad in ("thirty", "30,-7", "0", ",", "30;7"):
        monkeypatch.setenv("DAM_RIGHTS_REMINDER_DAYS", bad)
        with pytest.raises(ImproperlyConfigured, match="DAM_RIGHTS_REMINDER_DAYS"):
            env_reminder_days("DAM_RIGHTS_REMINDER_DAYS", "30,7")


# --- the report, renew and archive -------------------------------------------------------------------

REPORT = {"admin": 200, "librarian": 200, "brand_manager": 403, "editor": 200, "contributor": 200, "viewer": 403,
          "outsider": 403}


@pytest.mark.parametrize("role", list(REPORT))
def test_who_opens_the_report_and_what_they_see(role, people, folder, api):
    mine = expiring_asset(people, folder, 10, title="Cora's harbour")  # owned by the contributor
    other = make_asset(people["editor"], folder, approved=True, title="Editor's lighthouse")
    Asset.objects.filter(pk=other.pk).update(rights_expire_at=T0 + timedelta(days=20))
    response = api[role].get("/api/v1/rights/expiring/?days=30")
    assert response.status_code == REPORT[role]
    if response.status_code != 200:
        return
    titles = {row["title"] for row in response.json()["results"]}
    expected = {"admin": {mine.title, other.title}, "librarian": {mine.title, other.title},
                "editor": {other.title}, "contributor": {mine.title}}[role]
    assert titles == expected
    assert api["admin"].get("/api/v1/rights/expiring/?days=15").json()["count"] == 1


def test_collection_managers_see_their_folder_in_the_report(people, folder, web):
    asset = expiring_asset(people, folder, 10, title="Managed harbour")
    web_client = web("viewer")
    web_client.force_login(folder.marta)
    page = web_client.get("/archive/rights/expiring/")
    assert page.status_code == 200 and asset.title.encode() in page.content
    assert b">Renew</button>" in page.content and b"Hide it until its rights are renewed" in page.content
    # One click renews for a year: the date is filled in.
    year_on = timezone.localtime(asset.rights_expire_at + timedelta(days=365)).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{year_on}"'.encode() in page.content
    assert b">Archive</button>" not in page.content  # editors do not archive


def test_renew_in_the_report_with_an_inline_error_for_a_past_date(people, folder, web):
    asset = expiring_asset(people, folder, 10, title="Renew me")
    client = web("librarian")
    past = (timezone.localtime(T0) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = client.post(f"/archive/rights/{asset.uid}/renew/", {"expires_at": past})
    assert refused.status_code == 400
    assert b"The new expiry must be in the future." in refused.content and f'value="{past}"'.encode() in refused.content
    asset.refresh_from_db()
    assert asset.rights_expire_at == T0 + timedelta(days=10)
    future = (timezone.localtime(T0) + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M")
    done = client.post(f"/archive/rights/{asset.uid}/renew/", {"expires_at": future}, follow=True)
    assert done.status_code == 200 and b"now expire on" in done.content
    asset.refresh_from_db()
    assert timezone.localtime(asset.rights_expire_at).strftime("%Y-%m-%dT%H:%M") == future
    assert b">Renew me</a>" not in client.get("/archive/rights/expiring/").content  # 400 days away now
    # Archive from the report goes through the archive service.
    other = expiring_asset(people, folder, 5, title="Archive me")
    client.post(f"/archive/{other.uid}/archive/", {"reason": "Usage rights expiring"})
    other.refresh_from_db()
    assert other.archived_at is not None
    assert b">Archive me</a>" not in client.get("/archive/rights/expiring/").content


def test_renew_over_the_api(people, folder, api):
    asset = expiring_asset(people, folder, 3)
    url = f"/api/v1/assets/{asset.uid}/rights/renew/"
    past = api["librarian"].post(url, {"expires_at": (T0 - timedelta(hours=1)).isoformat()}, format="json")
    assert past.status_code == 400 and past.json()["errors"]["expires_at"] == ["The new expiry must be in the future."]
    assert api["viewer"].post(url, {"expires_at": (T0 + timedelta(days=9)).isoformat()},
                              format="json").status_code == 403  # sees it (still in rights), may not renew
    assert api["brand_manager"].post(url, {"expires_at": (T0 + timedelta(days=9)).isoformat()},
                                     format="json").status_code == 403
    new = T0 + timedelta(days=365)
    ok = api["contributor"].post(url, {"expires_at": new.isoformat()}, format="json")  # the owner
    assert ok.status_code == 200
    asset.refresh_from_db()
    assert asset.rights_expire_at == new
    assert api["admin"].get("/api/v1/rights/expiring/?days=abc").status_code == 400


def test_collection_expiry_action_page_and_api(people, folder, web, api):
    url = f"/api/v1/rights/collections/{folder.pk}/"
    assert api["viewer"].get(url).json() == {"on_expiry": "inherit", "effective": "hide", "effective_from": None}
    assert api["editor"].patch(url, {"on_expiry": "archive"}, format="json").status_code == 403
    assert api["admin"].patch(url, {"on_expiry": "burn"}, format="json").status_code == 400
    client = web("viewer")
    client.force_login(folder.marta)
    page = client.get(f"/archive/rights/collections/{folder.pk}/expiry/")
    assert page.status_code == 200 and b"Move it to the archive" in page.content
    client.post(f"/archive/rights/collections/{folder.pk}/expiry/", {"action": "archive"})
    folder.refresh_from_db()
    assert folder.rights_on_expiry == "archive"
    assert api["admin"].patch(url, {"on_expiry": "notify"}, format="json").json() == {
        "on_expiry": "notify", "effective": "notify", "effective_from": {"id": folder.pk, "name": "Campaign 2027"}}


# --- release documents --------------------------------------------------------------------------------

def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 80), "white").save(out, "PDF")
    return out.getvalue()


def test_release_documents_are_kept_and_shown_only_to_editors(people, folder, api, web,
                                                             django_capture_on_commit_callbacks):
    asset = make_asset(people["editor"], folder, approved=True)
    url = f"/api/v1/assets/{asset.uid}/rights/releases/"
    upload = io.BytesIO(pdf_bytes())
    upload.name = "Signed model release – Ana.pdf"
    made = api["editor"].post(url, {"kind": "model", "file": upload}, format="multipart")
    assert made.status_code == 201, made.json()
    assert made.json()["mime_type"] == "application/pdf"
    detail = api["editor"].get(f"/api/v1/assets/{asset.uid}/").json()["rights"]
    assert detail["model_release"] is True and detail["property_release"] is False
    document = ReleaseDocument.objects.get()
    assert "Ana" not in document.file.name  # the stored key never carries the uploader's name
    download = f"/api/v1/rights/releases/{document.pk}/"
    got = api["librarian"].get(download)
    assert got.status_code == 200 and b"".join(got.streaming_content).startswith(b"%PDF")
    assert "attachment" in got["Content-Disposition"]
    for role in ("viewer", "contributor", "outsider"):
        assert api[role].get(download).status_code in (403, 404)
        assert api[role].get(url).status_code in (403, 404)
    assert web("viewer").get(f"/archive/rights/releases/{document.pk}/download/").status_code in (403, 404)
    page = web("editor").get(asset.get_absolute_url())
    assert b"Model release on file" in page.content
    assert b"Release documents" in page.content
    # Removing deletes the file once the removal commits.
    name = document.file.name
    assert api["viewer"].delete(download).status_code in (403, 404)
    with django_capture_on_commit_callbacks(execute=True):
        assert api["brand_manager"].delete(download).status_code == 204
    assert not default_storage.exists(name)
    asset.refresh_from_db()
    assert asset.model_release is False


@pytest.mark.parametrize(("filename", "data", "says"), [
    ("release.pdf", (CORPUS / "bad" / "exiftool_EXE.exe").read_bytes(), "content is"),
    ("release.html", (CORPUS / "bad" / "exiftool_HTML.html").read_bytes(), "must be a PDF or a scan"),
    ("release.pdf", b"", "empty"),
])
def test_hostile_release_documents_are_refused_with_nothing_kept(filename, data, says, people, folder, api,
                                                                 media_in_tmp):
    asset = make_asset(people["editor"], folder, approved=True)
    upload = io.BytesIO(data)
    upload.name = filename
    refused = api["editor"].post(f"/api/v1/assets/{asset.uid}/rights/releases/", {"kind": "property", "file": upload},
                                 format="multipart")
    assert refused.status_code == 400
    assert says in refused.json()["detail"]
    assert not ReleaseDocument.objects.exists()
    releases = media_in_tmp / "releases"
    assert not releases.exists() or not any(p.is_file() for p in releases.rglob("*"))


def test_release_page_with_inline_errors(people, folder, web):
    asset = make_asset(people["editor"], folder, approved=True)
    client = web("librarian")
    page = client.get(f"/archive/rights/{asset.uid}/releases/")
    assert page.status_code == 200 and b"No release is on file" in page.content
    bad = io.BytesIO(b"just some text, not a scan")
    bad.name = "release.txt"
    refused = client.post(f"/archive/rights/{asset.uid}/releases/", {"kind": "model", "file": bad})
    assert refused.status_code == 400 and b'class="error"' in refused.content
    good = io.BytesIO(pdf_bytes())
    good.name = "property.pdf"
    done = client.post(f"/archive/rights/{asset.uid}/releases/", {"kind": "property", "file": good}, follow=True)
    assert b"property.pdf" in done.content and b"is on file" in done.content
    assert web("viewer").get(f"/archive/rights/{asset.uid}/releases/").status_code in (403, 404)


def test_admins_keep_the_licence_list(people, web):
    asset = make_asset(people["editor"])
    Asset.objects.filter(pk=asset.pk).update(licence="Royalty-free")
    assert web("librarian").get("/archive/rights/licences/").status_code == 403
    client = web("admin")
    page = client.get("/archive/rights/licences/")
    assert page.status_code == 200 and b"Editorial use only" in page.content
    dup = client.post("/archive/rights/licences/", {"name": "cc by 4.0", "active": "on"})
    assert dup.status_code == 400 and "“CC BY 4.0” is already in the list.".encode() in dup.content
    assert client.post("/archive/rights/licences/", {"name": "  ", "active": "on"}).status_code == 400
    client.post("/archive/rights/licences/", {"name": "Getty Images RM", "url": "https://www.gettyimages.com/eula",
                                              "active": "on"})
    assert LicenceType.objects.filter(name="Getty Images RM", active=True).exists()
    royalty = LicenceType.objects.get(name="Royalty-free")
    client.post(f"/archive/rights/licences/{royalty.pk}/", {"name": "Royalty-free (stock)"})  # renamed, retired
    royalty.refresh_from_db()
    asset.refresh_from_db()
    assert royalty.name == "Royalty-free (stock)" and royalty.active is False
    assert asset.licence == "Royalty-free (stock)"
    # Retired: kept on its asset and still offered to that asset's edit form, refused for a new choice.
    form = web("editor").get(f"/assets/{asset.uid}/edit/").content
    assert b'<option value="Royalty-free (stock)" selected>' in form


def test_a_contributor_keeps_releases_of_their_own_draft_only(people, folder, api):
    from accounts.roles import Role
    from assets.services import collection_grant as grant

    grant(collection=folder, level="contribute", user=people["contributor"], actor=None)
    draft = make_asset(people["contributor"], folder)
    other = make_user("other_contributor", Role.CONTRIBUTOR)
    upload = io.BytesIO(pdf_bytes())
    upload.name = "house.pdf"
    made = api["contributor"].post(f"/api/v1/assets/{draft.uid}/rights/releases/",
                                   {"kind": "property", "file": upload}, format="multipart")
    assert made.status_code == 201
    download = f"/api/v1/rights/releases/{made.json()['id']}/"
    assert api["contributor"].get(download).status_code == 200
    from rest_framework.test import APIClient

    stranger = APIClient()
    stranger.force_authenticate(other)
    assert stranger.get(download).status_code == 404
    assert api["viewer"].get(download).status_code == 404


def test_the_report_costs_the_same_queries_for_more_rows(people, folder, web):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web("librarian")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/archive/rights/expiring/").status_code == 200
        return len(queries)

    for day in (3, 4):
        expiring_asset(people, folder, day)
    few = count()
    for day in range(5, 11):
        expiring_asset(people, folder, day)
    assert count() == few


def test_the_command_runs_the_daily_job_and_says_what_it_did(people, folder, settings):
    from django.core.management import call_command

    settings.DAM_RIGHTS_REMINDER_DAYS = (30, 7)
    expiring_asset(people, folder, 20)
    out = io.StringIO()
    call_command("rights_daily", stdout=out)
    assert out.getvalue().strip() == "1 reminder(s) sent; 0 expired asset(s) handled, 0 of them archived."
    out = io.StringIO()
    call_command("rights_daily", stdout=out)
    assert out.getvalue().startswith("0 reminder(s) sent")
