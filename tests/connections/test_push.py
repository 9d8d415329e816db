"""Connections set up by admins and pushes to the stand-in Postiz, through the API and the pages: who may,
what is refused and why, what the job sends, how it waits and retries without doubling anything, and the
usages each push leaves."""
from __future__ import annotations

import io
from datetime import timedelta

import pyexiv2
import pytest
from django.utils import timezone
from PIL import Image

from accounts.models import AuditEvent
from assets.models import Collection
from distribution.connections import push
from distribution.models import Connection, Usage
from tests.factories import make_asset, png_bytes


@pytest.fixture
def connection(api, postiz):
    made = api["admin"].post("/api/v1/connections/", {"kind": "postiz", "name": "Brand Postiz", "base_url": postiz.url,
                                                      "secret": f"  {postiz.key}\n"}, format="json")
    assert made.status_code == 201, made.json()
    return Connection.objects.get(pk=made.json()["id"])


def approved(people, **kwargs):
    return make_asset(people["editor"], approved=True, data=png_bytes(size=(320, 240)), **kwargs)


def pushed(api, asset, connection, capture, *, who="editor", **body):
    with capture(execute=True):
        answer = api[who].post(f"/api/v1/assets/{asset.uid}/push/",
                               {"connection": connection.pk, "preset": "web", **body}, format="json")
    return answer


def test_admins_set_connections_up_and_their_secret_never_comes_back(api, people, postiz, connection):
    shown = api["admin"].get(f"/api/v1/connections/{connection.pk}/").json()
    assert shown["has_secret"] is True and "secret" not in shown and postiz.key not in str(shown)
    assert postiz.key not in str(list(AuditEvent.objects.values_list("data", flat=True)))
    # Those who may push see the connection (never the secret); others see none, and only admins change it.
    assert [c["name"] for c in api["editor"].get("/api/v1/connections/").json()["results"]] == ["Brand Postiz"]
    assert api["viewer"].get("/api/v1/connections/").json()["results"] == []
    assert api["editor"].post("/api/v1/connections/", {"kind": "postiz", "name": "x", "base_url": postiz.url,
                                                       "secret": "k"}, format="json").status_code == 403
    assert api["editor"].patch(f"/api/v1/connections/{connection.pk}/", {"name": "y"},
                               format="json").status_code == 403
    # A change without a secret keeps the stored one.
    assert api["admin"].patch(f"/api/v1/connections/{connection.pk}/", {"name": "Social"},
                              format="json").status_code == 200
    assert api["admin"].post(f"/api/v1/connections/{connection.pk}/test/").json()["ok"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "mastodon"}, "kind"),
    ({"base_url": "ftp://postiz.example.com/api"}, "base_url"),
    ({"base_url": "not an address"}, "base_url"),
    ({"secret": "   "}, "secret"),
    ({"kind": "wordpress", "secret": "no-colon-here"}, "secret"),
])
def test_bad_connections_are_refused_naming_the_field(api, postiz, body, field):
    answer = api["admin"].post("/api/v1/connections/", {"kind": "postiz", "name": "P", "base_url": postiz.url,
                                                        "secret": postiz.key, **body}, format="json")
    assert answer.status_code == 400 and field in answer.json()["errors"], answer.json()
    assert not Connection.objects.exists()


def test_a_loopback_address_needs_the_allow_list(api, settings):
    settings.DAM_WEBHOOK_ALLOW_HOSTS = []
    answer = api["admin"].post("/api/v1/connections/", {"kind": "postiz", "name": "P", "secret": "k",
                                                        "base_url": "http://127.0.0.1:9/api"}, format="json")
    assert answer.status_code == 400 and "DAM_WEBHOOK_ALLOW_HOSTS" in answer.json()["errors"]["base_url"][0]


def test_test_connection_says_what_happened(api, postiz, connection):
    ok = api["admin"].post(f"/api/v1/connections/{connection.pk}/test/").json()
    assert ok["ok"] and "3 channels" in ok["message"]
    api["admin"].patch(f"/api/v1/connections/{connection.pk}/", {"secret": "wrong"}, format="json")
    refused = api["admin"].post(f"/api/v1/connections/{connection.pk}/test/").json()
    assert refused == {"ok": False, "message": "Postiz refused the API key."}
    connection.refresh_from_db()
    assert connection.last_test_ok is False and connection.last_test == "Postiz refused the API key."


def test_channels_are_listed_live_for_those_who_may_push(api, connection):
    listed = api["editor"].get(f"/api/v1/connections/{connection.pk}/channels/").json()["results"]
    assert [c["name"] for c in listed] == ["LinkedIn", "X", "Instagram"]
    assert api["viewer"].get(f"/api/v1/connections/{connection.pk}/channels/").status_code in (403, 404)


def test_a_push_makes_one_upload_and_a_draft_per_channel(api, people, postiz, connection,
                                                         django_capture_on_commit_callbacks):
    asset = approved(people, title="Harbour at dawn")
    asset.description = "Boats leaving at first light."
    asset.save()
    answer = pushed(api, asset, connection, django_capture_on_commit_callbacks,
                    channels=["ch-linkedin-0001", "ch-x-0002"], text="Our harbour, this morning.")
    assert answer.status_code == 202, answer.json()
    ids = answer.json()["usages"]
    assert answer.json()["usage"] == ids[0] and len(ids) == 2
    assert len(postiz.uploads) == 1 and len(postiz.posts) == 2
    image = postiz.posts[0]["posts"][0]["value"][0]["image"][0]
    assert image["alt"] == "Boats leaving at first light." and image["path"].endswith(".jpg")
    assert Image.open(io.BytesIO(postiz.uploads[0].data)).size == (320, 240)
    # The web preset's file, with the asset's rights written in (distribution.embedding).
    title = pyexiv2.ImageData(postiz.uploads[0].data).read_xmp()["Xmp.dc.title"]
    assert title == {'lang="x-default"': "Harbour at dawn"}
    rows = api["editor"].get(f"/api/v1/assets/{asset.uid}/usages/").json()["results"]
    assert {(r["state"], r["system"], r["channel_name"], r["by"], r["version"]) for r in rows} == {
        ("pushed", "postiz", "LinkedIn", "editor", 1), ("pushed", "postiz", "X", "editor", 1)}
    assert {r["remote_id"] for r in rows} == {c["postId"] for c in postiz.created}


def test_what_cannot_go_out_is_refused_before_anything_is_sent(api, people, postiz, connection,
                                                                django_capture_on_commit_callbacks):
    draft = make_asset(people["editor"], title="Draft")
    refused = pushed(api, draft, connection, django_capture_on_commit_callbacks, channels=["ch-x-0002"])
    assert refused.status_code == 409 and "no approved version" in refused.json()["detail"]
    expired = approved(people)
    type(expired).objects.filter(pk=expired.pk).update(rights_expire_at=timezone.now() - timedelta(days=1))
    assert pushed(api, expired, connection, django_capture_on_commit_callbacks,
                  channels=["ch-x-0002"]).status_code == 409
    asset = approved(people)
    assert pushed(api, asset, connection, django_capture_on_commit_callbacks).status_code == 400  # no channel
    assert pushed(api, asset, connection, django_capture_on_commit_callbacks, channels=["ch-x-0002"],
                  preset="nope").status_code == 400
    assert pushed(api, asset, connection, django_capture_on_commit_callbacks, who="viewer",
                  channels=["ch-x-0002"]).status_code == 403
    elsewhere = Collection.objects.create(name="Elsewhere")
    connection.collections.set([elsewhere])
    assert pushed(api, asset, connection, django_capture_on_commit_callbacks,
                  channels=["ch-x-0002"]).status_code == 403
    assert not Usage.objects.exists() and not postiz.uploads and not postiz.posts


def test_a_429_waits_as_told_and_the_retry_does_not_upload_twice(api, people, postiz, connection,
                                                                  django_capture_on_commit_callbacks):
    asset = approved(people)
    postiz.uploads.clear()
    # The upload goes through; the post is refused for now (the channel list is asked first, then the post).
    original_route = postiz._route
    calls = {"posts": 0}

    def limited(method, path, headers, body):
        if path.endswith("/public/v1/posts"):
            calls["posts"] += 1
            if calls["posts"] == 1:
                from tests.connections.postiz_standin import _Answer
                raise _Answer(429, {"message": "ThrottlerException: Too Many Requests"}, {"Retry-After": "42"})
        return original_route(method, path, headers, body)

    postiz._route = limited
    answer = pushed(api, asset, connection, django_capture_on_commit_callbacks, channels=["ch-linkedin-0001"])
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.state == "queued" and usage.reason.startswith("Waiting to try again")
    assert 30 < (usage.next_attempt_at - timezone.now()).total_seconds() <= 42
    assert usage.progress["media"]["id"] and len(postiz.uploads) == 1
    # Not due yet: the sweep leaves it; once due, it is sent with the file already uploaded.
    with django_capture_on_commit_callbacks(execute=True):
        push.push_retry_due()
    assert Usage.objects.get(pk=usage.pk).state == "queued"
    Usage.objects.filter(pk=usage.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert push.push_retry_due() == 1
    usage.refresh_from_db()
    assert usage.state == "pushed" and usage.attempts == 2 and usage.reason == ""
    assert len(postiz.uploads) == 1 and len(postiz.posts) == 1


def test_a_refused_key_fails_at_once_with_the_reason(api, people, postiz, connection,
                                                      django_capture_on_commit_callbacks):
    asset = approved(people)
    postiz.key = "rotated"
    answer = pushed(api, asset, connection, django_capture_on_commit_callbacks, channels=["ch-x-0002"])
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert (usage.state, usage.reason) == ("failed", "Postiz refused the API key.")
    assert usage.next_attempt_at is None


def test_a_channel_removed_in_postiz_fails_that_draft_only(api, people, postiz, connection,
                                                           django_capture_on_commit_callbacks):
    asset = approved(people)
    answer = pushed(api, asset, connection, django_capture_on_commit_callbacks,
                    channels=["ch-linkedin-0001", "ch-gone-9999"])
    states = dict(Usage.objects.filter(pk__in=answer.json()["usages"]).values_list("channel", "state"))
    assert states == {"ch-linkedin-0001": "pushed", "ch-gone-9999": "failed"}
    assert "no channel" in Usage.objects.get(channel="ch-gone-9999").reason


def test_a_lost_job_is_picked_up_by_the_sweep(api, people, postiz, connection, django_capture_on_commit_callbacks):
    asset = approved(people)
    with django_capture_on_commit_callbacks(execute=False):  # the job is never queued
        answer = api["editor"].post(f"/api/v1/assets/{asset.uid}/push/", {
            "connection": connection.pk, "preset": "web", "channels": ["ch-x-0002"]}, format="json")
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.state == "queued" and not postiz.posts
    Usage.objects.filter(pk=usage.pk).update(created_at=timezone.now() - push.LOST_AFTER - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True):
        push.push_retry_due()
    assert Usage.objects.get(pk=usage.pk).state == "pushed" and len(postiz.posts) == 1


def test_the_pages_set_up_test_and_send(web, people, postiz, settings, django_capture_on_commit_callbacks):
    admin = web("admin")
    bad = admin.post("/settings/connections/new/", {"kind": "postiz", "name": "", "base_url": ""})
    assert bad.status_code == 400 and b"Give the connection a name." in bad.content
    assert b"Enter the system&#x27;s address." in bad.content
    bad = admin.post("/settings/connections/new/", {"kind": "postiz", "name": "P", "base_url": "ftp://x"})
    assert bad.status_code == 400 and b"Only http:// and https:// addresses" in bad.content
    admin.post("/settings/connections/new/", {"kind": "postiz", "name": "Brand Postiz", "base_url": postiz.url,
                                              "secret": postiz.key})
    connection = Connection.objects.get()
    tested = admin.post(f"/settings/connections/{connection.pk}/test/", follow=True)
    assert b"Reached Postiz" in tested.content
    listing = admin.get("/settings/connections/")
    assert postiz.key.encode() not in listing.content and b"Brand Postiz" in listing.content
    assert b"wp_oembed_add_provider( &#x27;#^http://testserver/d/.*#i&#x27;, &#x27;http://testserver/oembed&#x27;" \
        in listing.content
    asset = approved(people, title="Harbour at dawn")
    editor = web("editor")
    form = editor.get(f"/push/?asset={asset.uid}")
    assert form.status_code == 200 and b"LinkedIn" in form.content and b"Harbour at dawn" in form.content
    with django_capture_on_commit_callbacks(execute=True):
        sent = editor.post("/push/", {"asset": str(asset.uid), "connection": connection.pk, "preset": "web",
                                      "channels": ["ch-linkedin-0001"], "text": "Hello", "send": "1"})
    assert sent.status_code == 302 and sent["Location"].endswith("#used-in")
    page = editor.get(asset.get_absolute_url())
    assert b"Used in" in page.content and b"Brand Postiz \xc2\xb7 LinkedIn" in page.content
    assert b"In place" in page.content
    # Nothing chosen: the field says so.
    missing = editor.post("/push/", {"asset": str(asset.uid), "connection": connection.pk, "preset": "web",
                                     "text": "Hello", "send": "1"})
    assert missing.status_code == 400 and b"Choose at least one Postiz channel." in missing.content


def test_a_draft_whose_answer_was_lost_is_not_made_again(api, people, postiz, connection, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    from distribution.connections.clients import Problem
    from distribution.connections.postiz import PostizClient

    made = PostizClient.create_draft

    def answer_lost(self, **kwargs):
        made(self, **kwargs)  # Postiz made it; its answer never arrived
        raise Problem("Postiz did not answer within 10 seconds.", retry_after=30, maybe_done=True)

    monkeypatch.setattr(PostizClient, "create_draft", answer_lost)
    asset = approved(people)
    answer = pushed(api, asset, connection, django_capture_on_commit_callbacks, channels=["ch-x-0002"])
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.state == "failed" and "it may have been made. Look in Postiz" in usage.reason
    with django_capture_on_commit_callbacks(execute=True):
        push.push_retry_due()
    assert len(postiz.posts) == 1


def test_a_preset_removed_before_the_job_ran_fails_with_the_reason(api, people, postiz, connection,
                                                                     django_capture_on_commit_callbacks):
    from distribution.models import Preset

    Preset.objects.create(name="banner", label="Banner", max_width=600, max_height=200, format="jpeg")
    asset = approved(people)
    with django_capture_on_commit_callbacks(execute=False):  # the job has not run yet
        answer = api["editor"].post(f"/api/v1/assets/{asset.uid}/push/", {
            "connection": connection.pk, "preset": "banner", "channels": ["ch-x-0002"]}, format="json")
    assert answer.status_code == 202
    Preset.objects.filter(name="banner").delete()
    assert push.push_usages(usage_ids=answer.json()["usages"]) == {"failed": 1}
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.reason == "Not sent: the preset “banner” no longer exists."
    assert not postiz.uploads and not postiz.posts
