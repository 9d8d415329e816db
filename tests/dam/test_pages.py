"""The UI shell: every page renders for every role, and the sidebar shows only what a role may use."""
from __future__ import annotations

import pytest

from tests.conftest import PERSONAS
from tests.factories import make_asset

SIDEBAR = {  # label -> roles that see it
    "Dashboard": set(PERSONAS),
    "Assets": set(PERSONAS),
    "Collections": set(PERSONAS),
    "Vocabulary": set(PERSONAS) - {"outsider"},
    "Suggested terms": {"admin", "librarian", "brand_manager", "editor"},
    "Upload": {"admin", "editor", "contributor"},
    "Reviews": {"admin", "brand_manager", "editor", "contributor"},
    "Lightboxes": set(PERSONAS),
    "Share links": {"admin", "brand_manager", "editor"},
    "Where used": {"admin", "librarian", "brand_manager", "editor"},
    "Archive": {"admin", "librarian", "brand_manager"},
    "Fixity": {"admin"},
    # Owners (those who upload), collection managers, librarians and admins keep rights (archive.rights).
    "Rights expiring": {"admin", "librarian", "editor", "contributor"},
    "Analytics": {"admin", "librarian", "brand_manager"},
    "Licences": {"admin"},
    "BagIt exports": set(PERSONAS),
    "Retention": {"admin"},
    "Bin": {"admin"},
    "Administration": {"admin"},
    "Audit log": {"admin"},
    "Integrations": {"admin"},
    "Connections": {"admin"},
    "Download presets": {"admin"},
    "Webhooks": {"admin"},
    "Automation": {"admin"},  # and folder managers, for rules in their folders
    "Content analysis": {"admin"},
    "Approval policies": {"admin"},
}


@pytest.mark.parametrize("role", list(PERSONAS))
def test_sidebar_shows_only_what_the_role_may_use(role, web):
    response = web(role).get("/")
    assert response.status_code == 200
    labels = {item["label"] for item in response.context["nav"]}
    assert labels == {label for label, roles in SIDEBAR.items() if role in roles}


@pytest.mark.parametrize("role", list(PERSONAS))
def test_every_page_renders_for_every_role(role, web, people):
    asset = make_asset(people["brand_manager"], approved=True)
    client = web(role)
    for url in ["/", "/assets/", "/assets/?view=table", "/assets/?q=asset&type=image&ordering=-created",
                "/assets/collections/", "/accounts/tokens/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1>" in response.content
    detail = client.get(f"/assets/{asset.uid}/")
    assert detail.status_code == (404 if role == "outsider" else 200)
    assert client.get("/assets/collections/1/").status_code == (404 if role == "outsider" else 200)


def test_admin_pages_are_for_admins_only(web, people):
    assert web("admin").get("/accounts/admin/users/").status_code == 200
    assert web("admin").get("/accounts/admin/audit/", follow=True).status_code == 200
    for role in ("librarian", "editor", "viewer"):
        assert web(role).get("/accounts/admin/users/").status_code == 403
        assert web(role).get("/accounts/admin/audit/", follow=True).status_code == 403


def test_admin_creates_users_with_inline_errors(web, people):
    client = web("admin")
    bad = client.post("/accounts/admin/users/", {"username": "viewer", "role": "viewer"})
    assert bad.status_code == 400 and b"already exists" in bad.content
    ok = client.post("/accounts/admin/users/", {"username": "newbie", "role": "editor",
                                                "password": "A-long-enough-pass-1"})
    assert ok.status_code == 302
    from accounts.models import User

    assert User.objects.get(username="newbie").role == "editor"
    client.post(f"/accounts/admin/users/{User.objects.get(username='newbie').pk}/role/", {"role": "viewer"})
    assert User.objects.get(username="newbie").role == "viewer"


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/assets/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200


def test_api_schema_and_docs(api):
    schema = api["viewer"].get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/assets/{uid}/versions/" in schema.content
    docs = api["viewer"].get("/api/v1/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()


def test_unknown_api_path_is_json_404(api):
    response = api["viewer"].get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.json()["detail"]


def test_list_queries_do_not_grow_with_the_page(web, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_for_a_page() -> int:
        client.get("/assets/")  # warm the session and permission caches
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/assets/?view=table").status_code == 200
        return len(captured)

    client = web("viewer")
    make_asset(people["brand_manager"], approved=True)
    few = queries_for_a_page()
    for _ in range(30):
        make_asset(people["brand_manager"], approved=True)
    many = queries_for_a_page()
    # The page, its facets, the sidebar's counts and the bell: a fixed number, whatever the page holds.
    assert many == few and many <= 25


def test_a_host_outside_allowed_hosts_gets_the_apps_400_page(client, db):
    # Refused by CommonMiddleware before authentication has given the request a user.
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert b"<html" in response.content.lower()
