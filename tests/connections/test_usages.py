"""Where each version went: usages from pushes, picker choices, share links and delivery URLs fetched by other
sites; turned outdated (one statement, whatever their number) when a newer version is approved, the asset is
archived or may no longer be used, with a notification to whoever sent them and the usage.outdated webhook."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from archive.services import asset_archive
from assets.models import Collection
from distribution import integrations, services
from distribution.connections import usages
from distribution.models import Preset, Usage
from tests.factories import approve_for_test, make_asset, new_revision, png_bytes
from workflows.models import Notification

CMS = "https://cms.example.net"


def approved(people, **kwargs):
    return make_asset(people["editor"], approved=True, data=png_bytes(size=(160, 120)), **kwargs)


def pushed_usage(asset, person, **kwargs):
    return Usage.objects.create(asset=asset, version=asset.approved_version, system="wordpress", by=person,
                                state="pushed", remote_id="17", remote_url="https://blog.example.org/?p=17",
                                **kwargs)


def test_a_newer_approved_version_outdates_what_was_sent_and_tells_the_sender(people, settings):
    asset = approved(people, title="Harbour at dawn")
    first = pushed_usage(asset, people["editor"])
    new_revision(asset, people["editor"])
    asset.refresh_from_db()
    approve_for_test(asset)
    first.refresh_from_db()
    assert first.state == "outdated" and first.outdated_at and "version 2 was approved" in first.reason
    note = Notification.objects.get(recipient=people["editor"], verb="distribution.usage.outdated")
    assert "“Harbour at dawn” is used in 1 place with a version that is no longer current" in note.message
    assert note.url.endswith("#used-in")
    event = AuditEvent.objects.get(verb="distribution.usage.outdated")
    assert event.data["usages"] == 1
    # A usage of the version now approved stays as it is.
    current = pushed_usage(asset, people["editor"])
    usages.outdate(asset, reason="a test", keep_version_id=asset.approved_version_id)
    current.refresh_from_db()
    assert current.state == "pushed"


def test_archiving_and_rights_outdate_usages(people):
    archived = approved(people)
    one = pushed_usage(archived, people["editor"])
    asset_archive(asset=archived, actor=people["admin"], reason="old campaign")
    one.refresh_from_db()
    assert one.state == "outdated" and one.reason == "the asset was archived."

    expiring = approved(people)
    two = pushed_usage(expiring, people["editor"])
    type(expiring).objects.filter(pk=expiring.pk).update(rights_expire_at=timezone.now() - timedelta(minutes=1))
    assert usages.outdate_unusable() == 1
    two.refresh_from_db()
    assert two.state == "outdated" and "rights expired" in two.reason


def test_the_usage_outdated_webhook_fires(people, api, settings, django_capture_on_commit_callbacks):
    from distribution.models import WebhookDelivery

    settings.DAM_WEBHOOK_ALLOW_HOSTS = ["hooks.example.com"]
    made = api["admin"].post("/api/v1/webhooks/", {"url": "http://hooks.example.com/dam",
                                                   "events": ["usage.outdated"]}, format="json")
    assert made.status_code == 201, made.json()
    asset = approved(people)
    pushed_usage(asset, people["editor"])
    usages.outdate(asset, reason="the asset was archived.")
    delivery = WebhookDelivery.objects.get(event="usage.outdated")
    assert delivery.payload["data"]["asset"]["uid"] == str(asset.uid)
    assert delivery.payload["data"]["usages"] == 1


def test_outdating_is_one_statement_whatever_the_number(people, django_assert_max_num_queries):
    asset = approved(people)
    Usage.objects.bulk_create([Usage(asset=asset, version=asset.approved_version, system="postiz",
                                     by=people["editor"], state="pushed", remote_id=str(n)) for n in range(300)])
    with django_assert_max_num_queries(12):
        assert usages.outdate(asset, reason="version 2 was approved.") == 300
    assert Usage.objects.filter(state="outdated").count() == 300
    assert Notification.objects.filter(verb="distribution.usage.outdated").count() == 1


def test_a_delivery_url_shown_on_another_site_is_one_usage(client, people):
    asset = approved(people, title="Harbour")
    Collection.objects.filter(pk=asset.collection_id).update(delivery="public")
    Preset.objects.create(name="small-png", label="Small PNG", max_width=32, max_height=32, format="png")
    url = f"/d/{asset.uid}/small-png/harbour.png"
    for _ in range(3):
        assert client.get(url, HTTP_REFERER="https://www.example.org/news/harbour?utm=1").status_code == 200
    assert client.get(url).status_code == 200  # no referer: nothing to record
    assert client.get(url, HTTP_REFERER="http://testserver/assets/").status_code == 200  # the DAM itself
    usages._seen_deliveries.clear()  # another process, which has not seen it yet
    assert client.get(url, HTTP_REFERER="https://www.example.org/news/harbour").status_code == 200
    rows = list(Usage.objects.filter(asset=asset).values_list("system", "remote_url", "state"))
    assert rows == [("delivery", "https://www.example.org/news/harbour", "pushed")]


def test_a_share_link_is_a_usage_whose_address_only_its_maker_and_admins_see(api, people):
    asset = approved(people)
    link = services.share_links_create(actor=people["editor"], assets=[asset])[0]
    usage = Usage.objects.get(asset=asset)
    assert usage.system == "share" and usage.share_link == link and usage.remote_url.endswith(f"/s/{link.token}/")
    assert api["editor"].get(f"/api/v1/assets/{asset.uid}/usages/").json()["results"][0]["remote_url"]
    assert api["admin"].get(f"/api/v1/assets/{asset.uid}/usages/").json()["results"][0]["remote_url"]
    assert api["brand_manager"].get(f"/api/v1/assets/{asset.uid}/usages/").json()["results"][0]["remote_url"] == ""
    assert api["viewer"].get(f"/api/v1/assets/{asset.uid}/usages/").json()["results"] == []


def test_a_picker_choice_is_a_usage(web, people):
    integrations.integration_create(actor=None, name="Website CMS", allowed_origins=[CMS])
    asset = approved(people)
    answer = web("viewer").post("/picker/pick/", json.dumps({"origin": CMS, "uids": [str(asset.uid)],
                                                             "preset": "web"}), content_type="application/json")
    assert answer.status_code == 200
    usage = Usage.objects.get(asset=asset)
    assert (usage.system, usage.remote_url, usage.preset, usage.by) == ("picker", CMS, "web", people["viewer"])
    assert usage.integration.name == "Website CMS"


@pytest.mark.parametrize("role", ["admin", "editor", "brand_manager"])
def test_the_asset_page_shows_where_it_is_used(web, people, role):
    asset = approved(people, title="Harbour")
    pushed_usage(asset, people["editor"])
    page = web(role).get(asset.get_absolute_url())
    assert b'id="used-in"' in page.content and b"https://blog.example.org/?p=17" in page.content


def test_viewers_do_not_see_where_it_is_used(web, people):
    asset = approved(people, title="Harbour")
    pushed_usage(asset, people["editor"])
    page = web("viewer").get(asset.get_absolute_url())
    assert page.status_code == 200 and b'id="used-in"' not in page.content
