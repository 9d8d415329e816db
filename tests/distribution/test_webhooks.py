"""Webhooks: admins subscribe addresses to events; deliveries are signed, sent after commit, retried, and never
reach private addresses unless allowed."""
from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import services as account_services
from accounts.models import ApiToken, AuditEvent
from archive import services as archive_services
from assets import services as asset_services
from distribution import outbound
from distribution import services as share_services
from distribution.models import Webhook, WebhookDelivery
from distribution.webhooks import delivery as sending
from distribution.webhooks import events
from distribution.webhooks import services as webhooks
from tests.factories import make_asset, upload_as
from workflows import services as workflow

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"
ROLES = ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"]
PUBLIC = "93.184.215.14"  # a public address: nothing connects to it in these tests


class Receiver:
    """A real HTTP server on 127.0.0.1 that answers as scripted: a status, "hang" or "drop" per request."""

    def __init__(self) -> None:
        self.script: list[int | str] = []
        self.requests: list[dict] = []
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                action = receiver.script.pop(0) if receiver.script else 200
                if action == "hang":
                    receiver.release.wait(10)
                    return
                if action == "drop":
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self.send_response(int(action))
                if 300 <= int(action) < 400:
                    self.send_header("Location", f"http://127.0.0.1:{receiver.port}/elsewhere")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.DAM_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    server = Receiver()
    yield server
    server.stop()


@pytest.fixture
def dns(monkeypatch):
    """Stands in for DNS: names set here resolve to the given addresses, others as the system says."""
    names: dict[str, list[str]] = {"hooks.example.com": [PUBLIC]}
    real = outbound.resolve
    monkeypatch.setattr(outbound, "resolve", lambda host, port: names[host] if host in names else real(host, port))
    return names


def subscribe(people, url, events_=("asset.created",), active=True):
    webhook, _ = webhooks.webhook_create(actor=people["admin"], url=url, events=list(events_), active=active)
    return webhook


def check_signature(request, secret):
    """The recipe of docs/webhooks.md, written out independently of the DAM's code."""
    parts = dict(item.split("=", 1) for item in request["headers"]["X-DAM-Signature"].split(","))
    expected = hmac.new(secret.encode(), parts["t"].encode() + b"." + request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts["v1"])


# --- subscriptions ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_only_admins_manage_webhooks(role, api, people, dns):
    mine = subscribe(people, "https://hooks.example.com/mine")
    created = api[role].post("/api/v1/webhooks/", {"url": "https://hooks.example.com/x", "events": ["asset.created"]},
                             format="json")
    assert created.status_code == (201 if role == "admin" else 403)
    assert api[role].get("/api/v1/webhooks/").status_code == (200 if role == "admin" else 403)
    expected = 200 if role == "admin" else 404
    assert api[role].get(f"/api/v1/webhooks/{mine.pk}/").status_code == expected
    assert api[role].get(f"/api/v1/webhooks/{mine.pk}/deliveries/").status_code == expected
    assert api[role].post(f"/api/v1/webhooks/{mine.pk}/ping/").status_code == (202 if role == "admin" else 404)
    assert api[role].patch(f"/api/v1/webhooks/{mine.pk}/", {"active": False}, format="json").status_code == expected
    assert api[role].delete(f"/api/v1/webhooks/{mine.pk}/").status_code == (204 if role == "admin" else 404)


def test_a_read_only_token_of_an_admin_cannot_subscribe(client, people, dns):
    _, read_key = account_services.token_create(user=people["admin"], scope=ApiToken.Scope.READ, actor=None)
    _, write_key = account_services.token_create(user=people["admin"], scope=ApiToken.Scope.WRITE, actor=None)
    body = json.dumps({"url": "https://hooks.example.com/x", "events": ["version.approved"]})
    refused = client.post("/api/v1/webhooks/", body, content_type="application/json",
                          HTTP_AUTHORIZATION=f"Token {read_key}")
    assert refused.status_code == 403
    made = client.post("/api/v1/webhooks/", body, content_type="application/json",
                       HTTP_AUTHORIZATION=f"Token {write_key}")
    assert made.status_code == 201 and made.json()["events"] == ["version.approved"]


def test_the_secret_is_shown_once_and_stored_sealed(api, people, dns):
    answer = api["admin"].post("/api/v1/webhooks/", {"url": "https://hooks.example.com/x",
                                                     "events": ["asset.created", "version.approved"]}, format="json")
    assert answer.status_code == 201
    body = answer.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert body["active"] is True and body["created_by"] == "admin"
    webhook = Webhook.objects.get(pk=body["id"])
    assert secret not in webhook.secret_sealed and outbound.unseal(webhook.secret_sealed) == secret
    assert "secret" not in api["admin"].get(f"/api/v1/webhooks/{webhook.pk}/").json()
    assert secret not in api["admin"].get("/api/v1/webhooks/").content.decode()
    patched = api["admin"].patch(f"/api/v1/webhooks/{webhook.pk}/", {"events": ["asset.archived"]}, format="json")
    assert patched.status_code == 200 and "secret" not in patched.json()
    assert patched.json()["events"] == ["asset.archived"] and patched.json()["active"] is True
    assert all(secret not in json.dumps(e.data) for e in AuditEvent.objects.filter(verb__startswith="distribution."))


def test_events_must_be_known_and_chosen(api, dns):
    unknown = api["admin"].post("/api/v1/webhooks/", {"url": "https://hooks.example.com/x", "events": ["asset.eaten"]},
                                format="json")
    assert unknown.status_code == 400 and "events" in unknown.json()["errors"]
    empty = api["admin"].post("/api/v1/webhooks/", {"url": "https://hooks.example.com/x", "events": []}, format="json")
    assert empty.status_code == 400 and "events" in empty.json()["errors"]


# --- where deliveries may go --------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "why"), [
    ("file:///etc/passwd", "Only http:// and https://"),
    ("gopher://hooks.example.com/", "Only http:// and https://"),
    ("http://127.0.0.1/hook", "loopback"),
    ("http://10.0.0.1/hook", "private"),
    ("http://192.168.1.20:8080/hook", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"),
    ("http://[::1]/hook", "loopback"),
    ("http://[::ffff:127.0.0.1]/hook", "loopback"),
    ("http://0.0.0.0/hook", "unspecified"),
    ("http://224.0.0.1/hook", "multicast"),
    ("http://100.64.0.1/hook", "address"),
    ("http://loopback.example.com/hook", "resolves to 127.0.0.1"),
    ("http://user:pw@hooks.example.com/hook", "user name or password"),
    ("http://nowhere.invalid/hook", "cannot be found"),
])
def test_private_and_odd_addresses_are_refused(url, why, api, dns):
    dns["loopback.example.com"] = ["127.0.0.1"]
    dns["nowhere.invalid"] = []
    answer = api["admin"].post("/api/v1/webhooks/", {"url": url, "events": ["asset.created"]}, format="json")
    assert answer.status_code == 400, answer.json()
    assert why in answer.json()["errors"]["url"][0]
    assert not Webhook.objects.exists()


def test_localhost_is_refused_by_what_it_resolves_to(api, settings):
    settings.ALLOWED_HOSTS = ["dam.example.org", "testserver"]
    settings.DAM_BASE_URL = "https://dam.example.org"
    answer = api["admin"].post("/api/v1/webhooks/", {"url": "http://localhost:9000/", "events": ["asset.created"]},
                               format="json")
    assert answer.status_code == 400 and "loopback" in answer.json()["errors"]["url"][0]


def test_the_dam_itself_is_refused(api, settings, dns):
    settings.DAM_BASE_URL = "https://dam.example.org"
    settings.ALLOWED_HOSTS = ["dam.example.org", ".intranet.example.org", "testserver"]
    dns["dam.example.org"] = dns["files.intranet.example.org"] = [PUBLIC]
    for url in ("https://dam.example.org/api/v1/assets/", "http://files.intranet.example.org/"):
        answer = api["admin"].post("/api/v1/webhooks/", {"url": url, "events": ["asset.created"]}, format="json")
        assert answer.status_code == 400 and "the DAM itself" in answer.json()["errors"]["url"][0]


def test_an_allow_listed_host_may_be_private(api, settings, dns):
    dns["receiver.internal"] = ["10.1.2.3"]
    settings.DAM_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1", "receiver.internal"]
    for url in ("http://127.0.0.1:9000/hook", "http://receiver.internal/hook"):
        answer = api["admin"].post("/api/v1/webhooks/", {"url": url, "events": ["asset.created"]}, format="json")
        assert answer.status_code == 201, answer.json()
    assert api["admin"].post("/api/v1/webhooks/", {"url": "http://10.0.0.1/", "events": ["asset.created"]},
                             format="json").status_code == 400


def test_a_name_that_does_not_resolve_yet_may_be_subscribed_and_is_checked_when_sent(
        api, people, dns, django_capture_on_commit_callbacks):
    dns["not-deployed-yet.example.com"] = []
    answer = api["admin"].post("/api/v1/webhooks/", {"url": "https://not-deployed-yet.example.com/hook",
                                                     "events": ["asset.created"]}, format="json")
    assert answer.status_code == 201, answer.json()
    dns["not-deployed-yet.example.com"] = ["10.0.0.7"]  # it turns out to be private
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get(webhook_id=answer.json()["id"])
    assert sent.status == "pending" and sent.error.startswith("Not sent:") and "private" in sent.error


def test_a_name_that_turns_private_after_subscribing_is_not_called(people, dns, django_capture_on_commit_callbacks):
    webhook = subscribe(people, "https://hooks.example.com/x")
    dns["hooks.example.com"] = [PUBLIC, "127.0.0.1"]  # DNS changed since: one answer is enough to refuse
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get(webhook=webhook)
    assert sent.status == "pending" and sent.attempts == 1 and sent.response_code is None
    assert sent.error.startswith("Not sent:") and "127.0.0.1" in sent.error and "loopback" in sent.error


def test_the_call_goes_to_the_address_that_was_checked(people, receiver, dns, settings,
                                                      django_capture_on_commit_callbacks):
    # The name exists only in the checked resolution: the request can only arrive if the DAM connects to the
    # address it checked, sending the name as Host, instead of resolving again.
    dns["receiver.test"] = ["127.0.0.1"]
    settings.DAM_WEBHOOK_ALLOW_HOSTS = ["receiver.test"]
    subscribe(people, f"http://receiver.test:{receiver.port}/in?x=1")
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    [request] = receiver.requests
    assert request["headers"]["Host"] == f"receiver.test:{receiver.port}" and request["path"] == "/in?x=1"


def test_redirects_are_not_followed(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)
    receiver.script = [302]
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get()
    assert len(receiver.requests) == 1 and sent.response_code == 302 and sent.status == "pending"
    assert "redirect" in sent.error and "not followed" in sent.error


# --- signatures -----------------------------------------------------------------------------------------------

VECTOR_SECRET = "whsec_test_0123456789abcdefghijklmnopqrstuv"
VECTOR_TIMESTAMP = 1767225600
VECTOR_BODY = (b'{"id":"6f9c1d1e-2a7b-4c1e-9d55-0a1b2c3d4e5f","event":"ping","created_at":"2026-01-01T00:00:00+00:00",'
               b'"data":{"webhook":1,"events":["asset.created"],"message":"A test event sent from the DAM."}}')
VECTOR_SIGNATURE = "t=1767225600,v1=605ba22d18d928684798deb8e3c2528535a792b08a2a0ea91e4bd39f48a6242e"


def test_the_documented_test_vector():
    assert sending.signature(VECTOR_SECRET, VECTOR_TIMESTAMP, VECTOR_BODY) == VECTOR_SIGNATURE
    request = {"headers": {"X-DAM-Signature": VECTOR_SIGNATURE}, "body": VECTOR_BODY}
    assert check_signature(request, VECTOR_SECRET)
    assert not check_signature({**request, "body": VECTOR_BODY.replace(b"ping", b"pong")}, VECTOR_SECRET)
    docs = DOCS.read_text()
    for value in (VECTOR_SECRET, str(VECTOR_TIMESTAMP), VECTOR_BODY.decode(), VECTOR_SIGNATURE):
        assert value in docs


# --- events become deliveries ----------------------------------------------------------------------------------

def test_an_approval_sends_one_signed_delivery_per_matching_subscription(api, people, receiver,
                                                                         django_capture_on_commit_callbacks):
    answer = api["admin"].post("/api/v1/webhooks/", {"url": receiver.url, "events": ["version.approved"]},
                               format="json").json()
    other = subscribe(people, receiver.url + "?second", ["version.approved", "asset.created"])
    subscribe(people, receiver.url + "?created-only", ["asset.created"])
    subscribe(people, receiver.url + "?off", ["version.approved"], active=False)
    asset = upload_as(people["contributor"], title="Harbour at dawn")
    version_id = asset.current_version_id
    workflow.version_submit(version_id=version_id, actor=people["contributor"])
    workflow.version_approve(version_id=version_id, actor=people["editor"])  # step 1: no event yet
    assert not WebhookDelivery.objects.filter(event="version.approved").exists()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.version_approve(version_id=version_id, actor=people["brand_manager"])  # the sign-off
    approved = WebhookDelivery.objects.filter(event="version.approved")
    assert sorted(approved.values_list("webhook_id", flat=True)) == sorted([answer["id"], other.pk])
    assert all(d.status == "delivered" and d.attempts == 1 and d.response_code == 200 for d in approved)
    assert len(receiver.requests) == 2
    request = next(r for r in receiver.requests if r["path"] == "/hook")
    assert check_signature(request, answer["secret"])
    assert request["headers"]["Content-Type"] == "application/json"
    assert request["headers"]["X-DAM-Event"] == "version.approved"
    assert request["headers"]["X-DAM-Delivery"] == str(approved.get(webhook_id=answer["id"]).pk)
    body = json.loads(request["body"])
    assert set(body) == {"id", "event", "created_at", "data"} and body["event"] == "version.approved"
    asset.refresh_from_db()
    data = body["data"]
    assert data["asset"]["uid"] == str(asset.uid) and data["asset"]["title"] == "Harbour at dawn"
    assert data["asset"]["collection"] == asset.collection_id and data["asset"]["approved_version"] == 1
    assert data["asset"]["asset_url"].endswith(f"/assets/{asset.uid}/") and data["version"] == 1
    assert data["actor"] == "brand_manager"
    assert "comment" not in data and "sha256" not in data
    # Every subscription's delivery of one event carries the same event id.
    assert len({json.dumps(d.payload["id"]) for d in approved}) == 1


def test_nothing_is_sent_before_the_action_commits(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)
    with django_capture_on_commit_callbacks() as callbacks:
        asset = make_asset(people["editor"], title="Pending")
    # Written in the action's transaction, sent by a job queued only on commit.
    written = WebhookDelivery.objects.get()
    assert written.attempts == 0 and written.status == "pending" and receiver.requests == []
    assert written.payload["data"]["asset"]["uid"] == str(asset.uid)
    for callback in callbacks:
        callback()
    written.refresh_from_db()
    assert written.status == "delivered" and len(receiver.requests) == 1


def test_a_rolled_back_action_sends_nothing(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url, ["asset.created", "asset.updated"])
    asset = make_asset(people["editor"])
    WebhookDelivery.objects.all().delete()
    written = []
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        asset_services.asset_update(asset=asset, actor=people["admin"], changes={"title": "Renamed"})
        written.append(WebhookDelivery.objects.count())
        raise RuntimeError("the action failed after its audit event")
    assert written == [1]
    assert callbacks == [] and not WebhookDelivery.objects.exists() and receiver.requests == []


def test_asset_updates_name_the_changed_fields_only(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url, ["asset.updated"])
    asset = make_asset(people["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        asset_services.asset_update(asset=asset, actor=people["admin"],
                                    changes={"title": "Renamed", "description": "secret plans"})
    [body] = receiver.bodies()
    assert body["event"] == "asset.updated" and body["data"]["fields"] == ["description", "title"]
    assert "secret plans" not in json.dumps(body)


def test_archive_restore_and_share_link_downloads_are_events(client, people, receiver,
                                                             django_capture_on_commit_callbacks):
    subscribe(people, receiver.url, ["asset.archived", "asset.restored", "share_link.downloaded"])
    asset = make_asset(people["editor"], approved=True)
    with django_capture_on_commit_callbacks(execute=True):
        link = share_services.share_link_create(actor=people["editor"], assets=[asset], renditions=["original"],
                                                keep_location=True)
        assert client.get(f"/s/{link.token}/download/{asset.uid}/?rendition=original").status_code == 200
        archive_services.asset_archive(asset=asset, actor=people["admin"], reason="Campaign over")
        archive_services.asset_restore(asset=asset, actor=people["admin"])
    bodies = receiver.bodies()
    assert [b["event"] for b in bodies] == ["share_link.downloaded", "asset.archived", "asset.restored"]
    assert bodies[0]["data"]["share_link"] == link.pk and bodies[0]["data"]["rendition"] == "original"
    assert bodies[0]["data"]["asset"]["uid"] == str(asset.uid)
    assert bodies[1]["data"]["reason"] == "Campaign over" and bodies[1]["data"]["asset"]["archived"] is True


def test_rights_verbs_of_the_archive_are_mapped_already(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url, ["rights.expiring", "rights.expired"])
    asset = make_asset(people["editor"])
    with django_capture_on_commit_callbacks(execute=True):
        audit.record("archive.rights.expiring", actor=None, target=asset, expires_at="2027-01-01T00:00:00+00:00")
        audit.record("archive.rights.expired", actor=None, target=asset)
    assert [(b["event"], b["data"].get("expires_at")) for b in receiver.bodies()] == [
        ("rights.expiring", "2027-01-01T00:00:00+00:00"), ("rights.expired", None)]


def test_a_webhook_that_cannot_be_written_never_breaks_the_action(people, receiver, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)

    def broken(asset):
        raise ValueError("a bug in building the payload")

    monkeypatch.setattr(events, "asset_payload", broken)
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset(people["editor"])
    assert asset.pk and not WebhookDelivery.objects.exists() and receiver.requests == []


# --- retries and slow receivers ---------------------------------------------------------------------------------

def _time_passes(delivery):
    """The backoff has passed (tests never wait for it)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_a_receiver_that_fails_twice_gets_it_on_the_third_attempt(people, receiver,
                                                                  django_capture_on_commit_callbacks):
    webhook = subscribe(people, receiver.url)
    receiver.script = [500, 503]
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get(webhook=webhook)
    assert (sent.status, sent.attempts, sent.response_code) == ("pending", 1, 500)
    assert sent.error == "The receiver answered 500 Internal Server Error."
    assert sent.next_attempt_at - sent.last_attempt_at >= sending.wait_after(1) == timedelta(seconds=30)
    assert sending.deliveries_retry_due() == 0  # not due yet
    _time_passes(sent)
    assert sending.deliveries_retry_due() == 1
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.response_code) == ("pending", 2, 503)
    assert sent.next_attempt_at - sent.last_attempt_at >= sending.wait_after(2) == timedelta(seconds=90)
    _time_passes(sent)
    sending.deliveries_retry_due()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.response_code, sent.error) == ("delivered", 3, 200, "")
    assert sent.delivered_at is not None and sent.next_attempt_at is None
    bodies = receiver.bodies()
    assert len(bodies) == 3 and bodies[0] == bodies[1] == bodies[2]  # the same event each time
    assert {r["headers"]["X-DAM-Delivery"] for r in receiver.requests} == {str(sent.pk)}
    # Done: running its job again sends nothing.
    assert sending.delivery_attempt(delivery_id=sent.pk) is None and len(receiver.requests) == 3


def test_a_receiver_that_always_fails_is_given_up_on(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)
    receiver.script = [500] * sending.MAX_ATTEMPTS
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get()
    for _ in range(sending.MAX_ATTEMPTS - 1):
        _time_passes(sent)
        sending.deliveries_retry_due()
    sent.refresh_from_db()
    assert (sent.status, sent.attempts, sent.next_attempt_at) == ("failed", sending.MAX_ATTEMPTS, None)
    assert sum((sending.wait_after(n) for n in range(1, sending.MAX_ATTEMPTS)), timedelta()) < timedelta(minutes=65)
    _time_passes(sent)
    assert sending.deliveries_retry_due() == 0 and len(receiver.requests) == sending.MAX_ATTEMPTS


def test_a_delivery_whose_job_was_lost_is_sent_by_the_sweep(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)
    with django_capture_on_commit_callbacks():  # the job is never queued: the queue lost it
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get()
    assert sending.deliveries_retry_due() == 0  # its own job may still come
    _time_passes(sent)
    sending.deliveries_retry_due()
    sent.refresh_from_db()
    assert sent.status == "delivered" and sent.attempts == 1


def test_a_hanging_receiver_times_out_without_slowing_the_action(people, receiver, monkeypatch,
                                                                  django_capture_on_commit_callbacks):
    monkeypatch.setattr(outbound, "READ_TIMEOUT", 0.5)
    subscribe(people, receiver.url, ["asset.created", "version.submitted"])
    receiver.script = ["hang"]
    with django_capture_on_commit_callbacks() as callbacks:
        asset = make_asset(people["editor"])
    # The action returned with its delivery written and not yet sent: sending is the job's, run separately.
    assert asset.pk and receiver.requests == []
    assert WebhookDelivery.objects.get().attempts == 0
    for callback in callbacks:
        callback()
    sent = WebhookDelivery.objects.get()
    assert (sent.status, sent.attempts, sent.response_code) == ("pending", 1, None)
    assert sent.error == "The receiver did not answer within 0.5 seconds."
    assert len(receiver.requests) == 1


def test_a_receiver_that_drops_the_connection(people, receiver, django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)
    receiver.script = ["drop"]
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get()
    assert sent.status == "pending" and sent.attempts == 1 and "closed the connection" in sent.error


def test_nothing_listens_the_connection_is_refused(people, settings, django_capture_on_commit_callbacks):
    settings.DAM_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    subscribe(people, f"http://127.0.0.1:{port}/")
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get()
    assert sent.status == "pending" and sent.error.startswith(f"Could not connect to 127.0.0.1:{port}")


def test_a_webhook_turned_off_stops_its_retries(people, receiver, django_capture_on_commit_callbacks):
    webhook = subscribe(people, receiver.url)
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    webhooks.webhook_update(webhook=webhook, actor=people["admin"], active=False)
    sent = WebhookDelivery.objects.get()
    _time_passes(sent)
    sending.deliveries_retry_due()
    sent.refresh_from_db()
    assert sent.status == "failed" and "turned off" in sent.error and len(receiver.requests) == 1


def test_a_secret_sealed_under_another_key_is_reported(people, receiver, settings,
                                                       django_capture_on_commit_callbacks):
    subscribe(people, receiver.url)
    settings.SECRET_KEY = "another-key-entirely-" + "x" * 40
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
    sent = WebhookDelivery.objects.get()
    assert "DAM_SECRET_KEY changed" in sent.error and receiver.requests == []


# --- the API's actions on deliveries ---------------------------------------------------------------------------

def test_ping_and_redeliver_over_the_api(api, people, receiver, django_capture_on_commit_callbacks):
    created = api["admin"].post("/api/v1/webhooks/", {"url": receiver.url, "events": ["asset.created"]},
                                format="json").json()
    pk = created["id"]
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        make_asset(people["editor"])
        pinged = api["admin"].post(f"/api/v1/webhooks/{pk}/ping/")
    # Answered at once (202), sent by the job queued on commit.
    assert pinged.status_code == 202 and pinged.json()["event"] == "ping" and pinged.json()["attempts"] == 0
    assert WebhookDelivery.objects.get(pk=pinged.json()["id"]).status == "delivered"
    failed = WebhookDelivery.objects.get(event="asset.created")
    assert failed.status == "pending" and failed.response_code == 500
    with django_capture_on_commit_callbacks(execute=True):
        again = api["admin"].post(f"/api/v1/webhooks/{pk}/deliveries/{failed.pk}/redeliver/")
    assert again.status_code == 202
    body = again.json()
    assert body["id"] != failed.pk and body["redelivery_of"] == failed.pk
    assert WebhookDelivery.objects.get(pk=body["id"]).status == "delivered"
    requests = receiver.requests
    assert [r["headers"]["X-DAM-Event"] for r in requests] == ["asset.created", "ping", "asset.created"]
    assert json.loads(requests[2]["body"])["id"] == json.loads(requests[0]["body"])["id"]  # the same event
    assert requests[2]["headers"]["X-DAM-Delivery"] == str(body["id"])
    assert all(check_signature(r, created["secret"]) for r in requests)
    log = api["admin"].get(f"/api/v1/webhooks/{pk}/deliveries/").json()
    assert log["count"] == 3 and [d["event"] for d in log["results"]][0] == "asset.created"
    assert api["admin"].get(f"/api/v1/webhooks/{pk}/deliveries/?status=pending").json()["count"] == 1
    assert api["admin"].get(f"/api/v1/webhooks/{pk}/deliveries/?status=lost").status_code == 400
    listed = api["admin"].get("/api/v1/webhooks/").json()["results"][0]
    assert listed["last_delivery"]["status"] == "delivered" and listed["last_delivery"]["response_code"] == 200
    assert api["editor"].post(f"/api/v1/webhooks/{pk}/deliveries/{failed.pk}/redeliver/").status_code == 404
    other = subscribe(people, receiver.url + "?other")
    assert api["admin"].post(f"/api/v1/webhooks/{other.pk}/deliveries/{failed.pk}/redeliver/").status_code == 404


def test_patch_checks_the_address_again(api, people, dns):
    webhook = subscribe(people, "https://hooks.example.com/x")
    answer = api["admin"].patch(f"/api/v1/webhooks/{webhook.pk}/", {"url": "http://10.0.0.1/"}, format="json")
    assert answer.status_code == 400 and "private" in answer.json()["errors"]["url"][0]
    webhook.refresh_from_db()
    assert webhook.url == "https://hooks.example.com/x"


# --- the admins' screens ------------------------------------------------------------------------------------------

def test_the_screens_are_for_admins(web, people, dns):
    webhook = subscribe(people, "https://hooks.example.com/x")
    editor = web("editor")
    assert editor.get("/settings/webhooks/").status_code == 403
    assert editor.get("/settings/webhooks/new/").status_code == 403
    assert editor.get(f"/settings/webhooks/{webhook.pk}/").status_code == 404
    assert editor.post(f"/settings/webhooks/{webhook.pk}/ping/").status_code == 404


def test_creating_in_the_ui_shows_the_secret_once(web, dns):
    admin = web("admin")
    refused = admin.post("/settings/webhooks/new/", {"url": "file:///etc/passwd", "events": ["asset.created"],
                                                     "active": "on"})
    assert refused.status_code == 400 and "Only http:// and https://" in refused.content.decode()
    made = admin.post("/settings/webhooks/new/", {"url": "https://hooks.example.com/in",
                                                  "events": ["asset.created", "version.approved"], "active": "on"})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    webhook = Webhook.objects.get()
    secret = outbound.unseal(webhook.secret_sealed)
    assert secret in made.content.decode()
    for page in ("/settings/webhooks/", f"/settings/webhooks/{webhook.pk}/", f"/settings/webhooks/{webhook.pk}/edit/"):
        shown = admin.get(page)
        assert shown.status_code == 200 and secret not in shown.content.decode()


def test_the_delivery_log_page(web, people, receiver, django_capture_on_commit_callbacks):
    webhook = subscribe(people, receiver.url)
    receiver.script = [500]
    with django_capture_on_commit_callbacks(execute=True):
        asset = make_asset(people["editor"], title="Lighthouse")
    admin = web("admin")
    page = admin.get(f"/settings/webhooks/{webhook.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "asset.created" in html and "The receiver answered 500 Internal Server Error." in html
    assert "Send again" in html and "Send a test event" in html and str(asset.uid) in html
    listing = admin.get("/settings/webhooks/").content.decode()
    assert receiver.url in listing and "Pending" in listing
    delivery = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        assert admin.post(f"/settings/webhooks/{webhook.pk}/deliveries/{delivery.pk}/redeliver/").status_code == 302
        assert admin.post(f"/settings/webhooks/{webhook.pk}/ping/").status_code == 302
    assert WebhookDelivery.objects.filter(status="delivered").count() == 2
    assert admin.get(f"/settings/webhooks/{webhook.pk}/?status=failed").status_code == 200
    edited = admin.post(f"/settings/webhooks/{webhook.pk}/edit/",
                        {"url": "http://10.0.0.1/", "events": ["asset.created"]})
    assert edited.status_code == 400 and "private" in edited.content.decode()
    assert admin.post(f"/settings/webhooks/{webhook.pk}/delete/").status_code == 302
    assert not Webhook.objects.exists() and not WebhookDelivery.objects.exists()
