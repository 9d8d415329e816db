"""An asset's allowed channels decide which connections it may be pushed to: Postiz is social media, WordPress
the web. A push outside them is refused (409, the reason in a sentence) before anything is queued, and a push
accepted before the channels changed fails in the job with the same reason."""
from __future__ import annotations

import pytest

from assets import services as asset_services
from distribution.connections import push
from distribution.connections.channels import channels_refusal
from distribution.models import Connection, Usage
from tests.factories import make_asset, png_bytes


@pytest.fixture
def postiz_connection(api, postiz):
    made = api["admin"].post("/api/v1/connections/", {"kind": "postiz", "name": "Brand Postiz", "base_url": postiz.url,
                                                      "secret": postiz.key}, format="json")
    assert made.status_code == 201, made.json()
    return Connection.objects.get(pk=made.json()["id"])


def approved_with(people, channels):
    asset = make_asset(people["editor"], approved=True, title="Harbour at dawn", data=png_bytes(size=(320, 240)))
    if channels:
        asset = asset_services.asset_update(asset=asset, actor=None, changes={"channels": channels})
    return asset


def push_to(api, asset, connection, capture, *, execute=True):
    with capture(execute=execute):
        return api["editor"].post(f"/api/v1/assets/{asset.uid}/push/", {
            "connection": connection.pk, "preset": "web", "channels": ["ch-x-0002"], "text": "Dawn"}, format="json")


@pytest.mark.parametrize(("channels", "allowed"), [
    ([], True), (["Social"], True), ([" social media ", "print"], True), (["online"], True),
    (["print"], False), (["web", "print"], False),
])
def test_postiz_takes_only_assets_allowed_on_social_media(api, people, postiz, postiz_connection,
                                                        django_capture_on_commit_callbacks, channels, allowed):
    asset = approved_with(people, channels)
    answer = push_to(api, asset, postiz_connection, django_capture_on_commit_callbacks)
    if allowed:
        assert answer.status_code == 202, answer.json()
        assert len(postiz.posts) == 1
    else:
        assert answer.status_code == 409
        assert answer.json()["detail"] == (
            f"“Harbour at dawn” may be used only in {', '.join(channels)} (its allowed channels): Brand Postiz "
            "publishes to social media.")
        assert not Usage.objects.filter(connection=postiz_connection).exists() and not postiz.uploads


def test_wordpress_takes_only_assets_allowed_on_the_web(people):
    site = Connection(kind="wordpress", name="Company site", base_url="https://www.example.com")
    assert channels_refusal(approved_with(people, ["web"]), site) is None
    assert channels_refusal(approved_with(people, ["Website"]), site) is None
    assert channels_refusal(approved_with(people, []), site) is None
    assert channels_refusal(approved_with(people, ["social", "print"]), site) == (
        "“Harbour at dawn” may be used only in social, print (its allowed channels): Company site publishes to "
        "the web.")


def test_wordpress_refusal_over_the_api_names_the_reason(api, people):
    site = Connection.objects.create(kind="wordpress", name="Company site", base_url="https://www.example.com")
    asset = approved_with(people, ["print"])
    answer = api["editor"].post(f"/api/v1/assets/{asset.uid}/push/", {"connection": site.pk, "preset": "web"},
                                format="json")
    assert answer.status_code == 409 and "Company site publishes to the web" in answer.json()["detail"]
    assert not Usage.objects.filter(connection=site).exists()


def test_channels_narrowed_before_the_job_ran_stop_the_push(api, people, postiz, postiz_connection,
                                                          django_capture_on_commit_callbacks):
    asset = approved_with(people, ["social"])
    answer = push_to(api, asset, postiz_connection, django_capture_on_commit_callbacks, execute=False)
    assert answer.status_code == 202
    asset_services.asset_update(asset=asset, actor=None, changes={"channels": ["print"]})
    assert push.push_usages(usage_ids=answer.json()["usages"]) == {"failed": 1}
    usage = Usage.objects.get(pk=answer.json()["usage"])
    assert usage.reason.startswith("Not sent: “Harbour at dawn” may be used only in print")
    assert not postiz.uploads and not postiz.posts
