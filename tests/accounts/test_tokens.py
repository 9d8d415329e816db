"""API tokens: issued for a password, stored hashed, scoped, revocable."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEvent


def get_token(username, password, **extra):
    return APIClient().post("/api/v1/auth/token/", {"username": username, "password": password, **extra},
                            format="json")


def test_token_for_a_password_is_stored_hashed(people):
    response = get_token("editor", "pw-editor")
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get(user=people["editor"])
    assert key not in (token.key_hash, token.prefix) and token.key_hash == ApiToken.hash_key(key)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/collections/").status_code == 200
    assert AuditEvent.objects.filter(verb="accounts.token.created", actor=people["editor"]).exists()


def test_wrong_password_is_a_400_with_a_reason(people):
    response = get_token("editor", "nope")
    assert response.status_code == 400
    assert "Wrong username or password" in response.json()["detail"]


@pytest.mark.parametrize("header", [None, "Token not-a-real-token", "Bearer something"])
def test_missing_or_bad_token_is_401(db, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/assets/")
    assert response.status_code == 401
    assert set(response.json()) >= {"detail", "errors"}


def test_revoked_token_stops_working(people):
    key = get_token("viewer", "pw-viewer").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    token_id = ApiToken.objects.get(user=people["viewer"]).pk
    assert client.delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 204
    assert client.get("/api/v1/assets/").status_code == 401


def test_someone_elses_token_cannot_be_revoked(people, api):
    get_token("viewer", "pw-viewer")
    token_id = ApiToken.objects.get(user=people["viewer"]).pk
    assert api["editor"].delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 404


def test_read_only_token_cannot_write(people):
    key = get_token("editor", "pw-editor", scope="read").json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/assets/").status_code == 200
    response = client.post("/api/v1/collections/", {"name": "X"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This token is read-only."


def test_token_requests_are_throttled(people, settings):
    from django.core.cache import cache

    cache.clear()
    statuses = [get_token("editor", "wrong").status_code for _ in range(25)]
    assert statuses[:20] == [400] * 20 and statuses[-1] == 429
    cache.clear()


def test_tokens_page_creates_and_revokes(web, people):
    client = web("viewer")
    page = client.post("/accounts/tokens/", {"name": "CMS", "scope": "read"})
    assert page.status_code == 200 and b"copy it now" in page.content
    token = ApiToken.objects.get(user=people["viewer"])
    assert token.scope == "read" and token.name == "CMS"
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
