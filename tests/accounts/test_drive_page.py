"""The "Connect the drive" page: the drive's address, how to connect from each system, a token made for it."""
from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from accounts.models import ApiToken, AuditEvent
from tests.conftest import PERSONAS


@pytest.mark.parametrize("role", list(PERSONAS))
def test_every_person_finds_the_address_and_each_systems_steps(role, web, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "dam.example.org"]
    page = web(role).get("/accounts/drive/", HTTP_HOST="dam.example.org", secure=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="https://dam.example.org/dav/"' in text
    for sentence in ("Connect to Server", "Map network drive", "davs://dam.example.org/dav/",
                     "mount -t davfs https://dam.example.org/dav/", "rclone config create dam webdav",
                     "FileSizeLimitInBytes"):
        assert sentence in text
    assert f"<dd class=\"mono\">{role}</dd>" in text  # the user name to sign in with
    assert "plain HTTP" not in text


def test_the_page_warns_when_the_dam_answers_on_plain_http(web):
    text = web("editor").get("/accounts/drive/").content.decode()
    assert "http://testserver/dav/" in text and "dav://testserver/dav/" in text
    assert "plain HTTP" in text


def test_the_button_makes_a_read_write_token_named_for_the_drive_shown_once(web, people, client):
    web("contributor")
    made = client.post("/accounts/drive/")
    assert made.status_code == 200
    token = ApiToken.objects.get(user=people["contributor"])
    assert (token.name, token.scope, token.revoked_at) == ("WebDAV drive", ApiToken.Scope.WRITE, None)
    key = made.context["new_key"]
    assert token.key_hash == ApiToken.hash_key(key)
    text = made.content.decode()
    assert f'value="{key}"' in text and f"pass={key} --obscure" in text
    assert AuditEvent.objects.filter(verb="accounts.token.created", actor=people["contributor"]).exists()
    # The secret is not kept anywhere a later page could show it.
    again = client.get("/accounts/drive/").content.decode()
    assert key not in again and token.prefix in again and "YOUR-TOKEN" in again


def test_the_token_signs_in_like_any_api_token(web, client):
    web("viewer")
    key = client.post("/accounts/drive/").context["new_key"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/collections/").status_code == 200


def test_revoking_from_the_drive_page_comes_back_to_it(web, people, client):
    web("editor")
    client.post("/accounts/drive/")
    token = ApiToken.objects.get(user=people["editor"])
    answer = client.post(f"/accounts/tokens/{token.pk}/revoke/", {"next": "/accounts/drive/"})
    assert answer.status_code == 302 and answer["Location"] == "/accounts/drive/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    after = client.get("/accounts/drive/").content.decode()
    assert f"Token {token.prefix}… was revoked." in after and f"{token.prefix}…</td>" not in after
    # Any other "next" goes to the tokens page as before, never off the site.
    other = client.post(f"/accounts/tokens/{token.pk}/revoke/", {"next": "https://evil.example/"})
    assert other["Location"] == "/accounts/tokens/"


def test_someone_elses_drive_token_cannot_be_revoked(web, people, client):
    web("editor")
    client.post("/accounts/drive/")
    token = ApiToken.objects.get(user=people["editor"])
    assert web("viewer").post(f"/accounts/tokens/{token.pk}/revoke/", {"next": "/accounts/drive/"}).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    answer = client.get("/accounts/drive/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    assert client.post("/accounts/drive/").status_code == 302
    assert not ApiToken.objects.exists()
