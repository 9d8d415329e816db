"""Integrations: admins register the outside tools that pull assets (a key, shown once) and the sites that may
use the picker, on Settings → Integrations and at /api/v1/integrations/."""
from __future__ import annotations

import re

import pytest

from accounts.models import AuditEvent
from assets.models import Collection
from distribution import integrations
from distribution.models import Integration
from tests.factories import make_asset

ROLES = ["admin", "librarian", "brand_manager", "editor", "contributor", "viewer", "outsider"]
CMS = "https://cms.example.net"


@pytest.fixture
def cms(db):
    integration, _ = integrations.integration_create(actor=None, name="Website CMS", allowed_origins=[CMS])
    return integration


# --- the screens -----------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_only_admins_reach_the_screens(role, web, cms):
    client = web(role)
    pages = [("get", "/settings/integrations/"), ("get", "/settings/integrations/new/"),
             ("post", "/settings/integrations/new/"), ("get", f"/settings/integrations/{cms.pk}/edit/"),
             ("post", f"/settings/integrations/{cms.pk}/edit/"), ("get", f"/settings/integrations/{cms.pk}/revoke/"),
             ("post", f"/settings/integrations/{cms.pk}/revoke/")]
    for method, path in pages:
        status = getattr(client, method)(path, {"name": f"Tool {path}", "allowed_origins": ""}).status_code
        if role == "admin":
            assert status in (200, 302), (method, path, status)
        else:
            assert status in (403, 404), (method, path, status)
    cms.refresh_from_db()
    assert (cms.revoked_at is not None) == (role == "admin")


def test_signed_out_people_are_sent_to_sign_in(client, cms):
    response = client.get("/settings/integrations/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_list_shows_name_key_prefix_origins_use_and_state(web, cms):
    revoked, _ = integrations.integration_create(actor=None, name="Old scheduler", allowed_origins=[])
    integrations.integration_revoke(integration=revoked, actor=None)
    page = web("admin").get("/settings/integrations/").content.decode()
    assert "Website CMS" in page and f"{cms.prefix}…" in page and CMS in page
    assert "never" in page  # last used
    assert "Old scheduler" in page and "Revoked" in page and "none (key only)" in page
    assert page.count("/revoke/") == 1  # only the active one offers Revoke


def test_creating_shows_the_key_once(web, people):
    client = web("admin")
    response = client.post("/settings/integrations/new/", {
        "name": "Website CMS", "allowed_origins": "https://cms.example.net\nhttp://localhost:8080/\n"})
    assert response.status_code == 200
    page = response.content.decode()
    key = re.search(r'<pre class="mono" id="integration-key">([^<]+)</pre>', page).group(1)
    assert "it will not be shown again" in page
    assert ">Copy</button>" in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    integration = Integration.objects.get(name="Website CMS")
    assert integration.key_hash == Integration.hash_key(key) and key not in integration.key_hash
    assert integration.allowed_origins == ["https://cms.example.net", "http://localhost:8080"]
    assert integration.created_by == people["admin"]
    assert key not in client.get("/settings/integrations/").content.decode()
    assert AuditEvent.objects.filter(verb="distribution.integration.created", actor=people["admin"]).exists()


@pytest.mark.parametrize(("origins", "why"), [
    ("cms.example.net", "is not an origin"),
    ("https://cms.example.net/page", "is not an origin"),
    ("ftp://files.example.net", "is not an origin"),
])
def test_origins_must_be_origins(origins, why, web):
    response = web("admin").post("/settings/integrations/new/", {"name": "CMS", "allowed_origins": origins})
    assert response.status_code == 400
    form = response.context["form"]
    assert why in " ".join(form.errors["allowed_origins"])
    assert not Integration.objects.exists()


def test_names_are_required_and_unique(web, cms):
    response = web("admin").post("/settings/integrations/new/", {"name": "Website CMS", "allowed_origins": ""})
    assert response.status_code == 400
    assert "exists already" in " ".join(response.context["form"].errors["name"])


def test_editing_the_origins(web, cms, people):
    client = web("admin")
    form = client.get(f"/settings/integrations/{cms.pk}/edit/").content.decode()
    assert CMS in form
    response = client.post(f"/settings/integrations/{cms.pk}/edit/", {
        "name": "Website CMS", "allowed_origins": "https://cms.example.net\nhttps://preview.example.net"})
    assert response.status_code == 302
    cms.refresh_from_db()
    assert cms.allowed_origins == [CMS, "https://preview.example.net"]
    assert integrations.origin_allowed("https://preview.example.net") == cms
    bad = client.post(f"/settings/integrations/{cms.pk}/edit/", {"name": "Website CMS", "allowed_origins": "nope"})
    assert bad.status_code == 400
    cms.refresh_from_db()
    assert len(cms.allowed_origins) == 2


def test_revoking_asks_first_then_the_key_and_the_picker_stop(web, cms, people, client):
    admin = web("admin")
    confirm = admin.get(f"/settings/integrations/{cms.pk}/revoke/")
    assert confirm.status_code == 200 and "stops working at once" in confirm.content.decode()
    cms.refresh_from_db()
    assert cms.revoked_at is None  # asking is not revoking
    response = admin.post(f"/settings/integrations/{cms.pk}/revoke/")
    assert response.status_code == 302
    cms.refresh_from_db()
    assert cms.revoked_at is not None
    assert integrations.origin_allowed(CMS) is None
    assert AuditEvent.objects.filter(verb="distribution.integration.revoked").count() == 1


# --- the API -------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_only_admins_use_the_api(role, api, cms):
    client = api[role]
    expected_read = 200 if role == "admin" else 403
    assert client.get("/api/v1/integrations/").status_code == expected_read
    created = client.post("/api/v1/integrations/", {"name": f"Tool of {role}", "allowed_origins": [CMS]},
                          format="json")
    assert created.status_code == (201 if role == "admin" else 403)
    patched = client.patch(f"/api/v1/integrations/{cms.pk}/", {"allowed_origins": []}, format="json")
    assert patched.status_code == (200 if role == "admin" else 404)
    assert client.delete(f"/api/v1/integrations/{cms.pk}/").status_code == (204 if role == "admin" else 404)


def test_the_api_needs_credentials(client, cms):
    assert client.get("/api/v1/integrations/").status_code in (401, 403)
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/integrations/").status_code == 401


def test_the_api_shows_the_key_once(api):
    created = api["admin"].post("/api/v1/integrations/", {"name": "Scheduler", "allowed_origins": [CMS]},
                                format="json")
    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith(body["prefix"]) and body["allowed_origins"] == [CMS]
    listed = api["admin"].get("/api/v1/integrations/").json()["results"]
    assert [i["name"] for i in listed] == ["Scheduler"]
    assert "key" not in listed[0] and key not in str(listed)
    assert Integration.objects.get().key_hash == Integration.hash_key(key)


@pytest.mark.parametrize("origins", [["cms.example.net"], ["https://cms.example.net/page?x=1"], "https://a.b c", 42])
def test_the_api_refuses_what_is_not_an_origin_naming_the_field(origins, api):
    response = api["admin"].post("/api/v1/integrations/", {"name": "CMS", "allowed_origins": origins},
                                 format="json")
    assert response.status_code == 400
    body = response.json()
    assert "allowed_origins" in body["errors"] and body["detail"]
    assert not Integration.objects.exists()


def test_the_api_changes_origins_and_refuses_bad_ones(api, cms):
    changed = api["admin"].patch(f"/api/v1/integrations/{cms.pk}/",
                                 {"allowed_origins": ["HTTPS://Preview.Example.net/"]}, format="json")
    assert changed.status_code == 200 and changed.json()["allowed_origins"] == ["https://preview.example.net"]
    refused = api["admin"].patch(f"/api/v1/integrations/{cms.pk}/", {"allowed_origins": ["preview"]}, format="json")
    assert refused.status_code == 400 and "allowed_origins" in refused.json()["errors"]


def test_a_revoked_key_opens_nothing(api, people, client):
    created = api["admin"].post("/api/v1/integrations/", {"name": "CDN", "allowed_origins": []}, format="json")
    key, pk = created.json()["key"], created.json()["id"]
    asset = make_asset(people["editor"], title="Key only", approved=True)
    Collection.objects.filter(pk=asset.collection_id).update(delivery=Collection.Delivery.TOKEN)
    url = f"/d/{asset.uid}/original/key-only.png"
    assert client.get(url).status_code == 403
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    assert api["admin"].delete(f"/api/v1/integrations/{pk}/").status_code == 204
    assert client.get(url, headers={"Authorization": f"Bearer {key}"}).status_code == 403
    revoked = api["admin"].get("/api/v1/integrations/").json()["results"][0]
    assert revoked["revoked_at"] is not None
