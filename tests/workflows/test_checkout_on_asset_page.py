"""The asset page says who has the asset checked out, in which app and until when; admins can break it there."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import upload_as
from workflows import services
from workflows.models import AssetLock


@pytest.fixture
def drive_lock(people):
    """Ana (the editor) opened the asset in Photoshop through the drive."""
    editor = people["editor"]
    editor.first_name, editor.last_name = "Ana", "Costa"
    editor.save(update_fields=["first_name", "last_name"])
    asset = upload_as(editor, title="Autumn poster")
    lock = services.asset_check_out(asset=asset, actor=editor, client="Photoshop", hours=1)
    # A time of day that reads the same in any test run: 15:40 today.
    until = timezone.localtime().replace(hour=15, minute=40, second=0, microsecond=0)
    if until <= timezone.now():
        until += timedelta(days=1)
    AssetLock.objects.filter(pk=lock.pk).update(expires_at=until)
    return asset


def page(web, role, asset):
    answer = web(role).get(asset.get_absolute_url())
    assert answer.status_code == 200
    return answer.content.decode()


def test_everyone_who_sees_the_asset_sees_who_holds_it_in_which_app(web, drive_lock):
    text = page(web, "librarian", drive_lock)
    assert "Checked out by <strong>Ana Costa</strong> in Photoshop (via the drive), until " in text
    assert "15:40" in text
    assert "Until then only Ana Costa can add a revision." in text
    assert "Break the lock" not in text and "Check in" not in text


def test_the_holder_reads_you_and_may_check_in(web, drive_lock):
    text = page(web, "editor", drive_lock)
    assert "Checked out by <strong>you</strong> in Photoshop (via the drive)" in text
    assert ">Check in</button>" in text
    web("editor").post(f"/reviews/assets/{drive_lock.uid}/check-in/", {"next": drive_lock.get_absolute_url()})
    assert not AssetLock.objects.exists()


def test_an_admin_breaks_the_lock_from_the_asset_page(web, drive_lock, people):
    text = page(web, "admin", drive_lock)
    assert ">Break the lock</button>" in text
    answer = web("admin").post(f"/reviews/assets/{drive_lock.uid}/check-in/", {"next": drive_lock.get_absolute_url()})
    assert answer.status_code == 302 and answer["Location"] == drive_lock.get_absolute_url()
    assert not AssetLock.objects.exists()
    after = page(web, "admin", drive_lock)
    assert "The check-out by Ana Costa was broken." in after and "Checked out by" not in after


def test_a_check_out_from_the_page_names_no_app_and_an_expired_one_shows_nothing(web, people):
    asset = upload_as(people["editor"])
    lock = services.asset_check_out(asset=asset, actor=people["editor"], note="Retouching the sky")
    text = page(web, "admin", asset)
    assert "(via the drive)" not in text and "Checked out by <strong>editor</strong>, until" in text
    assert "Retouching the sky" in text
    AssetLock.objects.filter(pk=lock.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert "Checked out by" not in page(web, "admin", asset)


def test_the_check_out_costs_the_page_one_query(web, drive_lock):
    client = web("librarian")
    with CaptureQueriesContext(connection) as queries:
        assert client.get(drive_lock.get_absolute_url()).status_code == 200
    assert len([q for q in queries.captured_queries if "workflows_assetlock" in q["sql"]]) == 1
