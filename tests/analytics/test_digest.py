"""The weekly digest: subscribing on the page, one e-mail a week per subscription (the clock moved by the
test), its tables and CSV attachments, unsubscribing from the e-mail's link signed out."""
from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import AuditEvent
from analytics import digest
from analytics.models import DigestSubscription
from distribution.models import DownloadEvent
from tests.factories import make_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscribed(client, people):
    people["librarian"].email = "lib@example.org"
    people["librarian"].save(update_fields=["email"])
    asset = make_asset(people["admin"], title="Harbour at dawn", approved=True)
    DownloadEvent.objects.create(asset=asset, version_id=asset.approved_version_id, rendition="original")
    client.force_login(people["librarian"])
    answer = client.post("/analytics/digests/", {"panels": ["top_assets", "no_result_searches"], "period": "7d"})
    assert answer.status_code == 302 and answer["Location"] == "/analytics/?period=7d#digests"
    return DigestSubscription.objects.get(owner=people["librarian"])


def test_subscribing_keeps_the_panels_and_filters_and_is_audited(subscribed):
    assert subscribed.panels == ["top_assets", "no_result_searches"] and subscribed.query == {"period": "7d"}
    assert AuditEvent.objects.filter(verb="analytics.digest.subscribed", target_id=str(subscribed.pk)).exists()


def test_one_email_per_week_per_subscription(subscribed):
    start = subscribed.next_due_at
    assert digest.digests_send_due(now=start) == 1
    assert digest.digests_send_due(now=start) == 0  # the same run twice
    assert digest.digests_send_due(now=start + dt.timedelta(days=6, hours=23)) == 0
    assert digest.digests_send_due(now=start + dt.timedelta(days=7)) == 1
    assert digest.digests_send_due(now=start + dt.timedelta(days=7, hours=1)) == 0
    assert len(mail.outbox) == 2


def test_a_week_missed_does_not_send_a_burst(subscribed):
    start = subscribed.next_due_at
    assert digest.digests_send_due(now=start + dt.timedelta(days=30)) == 1
    assert digest.digests_send_due(now=start + dt.timedelta(days=31)) == 0
    assert digest.digests_send_due(now=start + dt.timedelta(days=37)) == 1


def test_the_email_has_the_tables_in_text_and_html_and_each_panel_as_csv(subscribed):
    digest.digests_send_due(now=subscribed.next_due_at)
    message = mail.outbox[0]
    assert message.to == ["lib@example.org"] and message.subject == "[DAM] Your weekly analytics digest"
    assert "Most downloaded assets" in message.body and "Harbour at dawn | 1" in message.body
    assert "Nothing to show for this period." in message.body
    unsubscribe = reverse("analytics:digest_unsubscribe", args=[subscribed.token])
    assert unsubscribe in message.body and unsubscribe in message.extra_headers["List-Unsubscribe"]
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and "<td" in html and "Harbour at dawn" in html
    names = [name for name, _, _ in message.attachments]
    assert len(names) == 2 and names[0].startswith("top_assets-") and names[1].startswith("no_result_searches-")
    assert message.attachments[0][1] == '"Asset","Downloads"\r\n"Harbour at dawn","1"\r\n'


def test_no_email_once_the_owner_may_no_longer_see_analytics(subscribed, people):
    from accounts import services as account_services
    from accounts.roles import Role

    account_services.user_set_role(user=people["librarian"], role=Role.VIEWER, actor=None)
    assert digest.digests_send_due(now=subscribed.next_due_at) == 0
    assert mail.outbox == []


def test_unsubscribing_from_the_emails_link_signed_out(client, subscribed):
    client.logout()
    url = reverse("analytics:digest_unsubscribe", args=[subscribed.token])
    answer = client.get(url)
    assert answer.status_code == 200 and "Stop the weekly analytics e-mail" in answer.content.decode()
    assert DigestSubscription.objects.filter(pk=subscribed.pk).exists()  # a link followed ends nothing
    answer = client.post(url)
    assert answer.status_code == 200 and "no more of that analytics e-mail" in answer.content.decode()
    assert not DigestSubscription.objects.filter(pk=subscribed.pk).exists()
    assert digest.digests_send_due(now=subscribed.next_due_at) == 0
    assert client.get(url).status_code == 404


def test_unsubscribing_on_the_page(client, subscribed):
    html = client.get("/analytics/").content.decode()
    assert f'action="/analytics/digests/unsubscribe/{subscribed.token}/"' in html
    answer = client.post(f"/analytics/digests/unsubscribe/{subscribed.token}/")
    assert answer.status_code == 302 and not DigestSubscription.objects.exists()


def test_a_digest_without_tables_or_with_bad_filters_is_refused(client, people):
    client.force_login(people["admin"])
    answer = client.post("/analytics/digests/", {"period": "7d"}, follow=True)
    assert "Choose at least one table for the digest." in answer.content.decode()
    answer = client.post("/analytics/digests/", {"panels": ["top_assets"], "period": "nonsense"}, follow=True)
    assert "The filters of this report are not valid" in answer.content.decode()
    answer = client.post("/analytics/digests/", {"panels": ["fortune_cookies"]}, follow=True)
    assert "There is no report table called “fortune_cookies”." in answer.content.decode()
    assert not DigestSubscription.objects.exists()


def test_those_without_analytics_cannot_subscribe(client, people):
    client.force_login(people["editor"])
    assert client.post("/analytics/digests/", {"panels": ["top_assets"]}).status_code == 403
    assert not DigestSubscription.objects.exists()


def test_the_schedule_is_registered():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(name="analytics-weekly-digests")
    assert schedule.func == "analytics.tasks.digests_send_due_task" and schedule.schedule_type == Schedule.HOURLY
