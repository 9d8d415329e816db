"""A stored and served file name says what the content is: the client's extension never decides it."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assets.models import AssetVersion
from tests.factories import CORPUS, png_bytes

JPEG = (CORPUS / "real" / "Canon_40D.jpg").read_bytes()


def upload(client, data: bytes, name: str) -> dict:
    response = client.post("/api/v1/assets/", {"file": SimpleUploadedFile(name, data)}, format="multipart")
    assert response.status_code == 201, response.content
    return response.json()


def served_name(client, uid: str) -> str:
    response = client.get(f"/api/v1/assets/{uid}/download/?rendition=original")
    assert response.status_code == 200
    return response["Content-Disposition"]


@pytest.mark.parametrize(("sent", "stored"), [
    ("shell.jpg.php", "shell.jpg"),  # a second extension the content does not match is dropped
    ("evil\u202egpj.exe", "evilgpj.jpg"),  # the right-to-left override is removed, the extension follows the type
    ("photo", "photo.jpg"),
    ("Harbour at dusk.JPG", "Harbour at dusk.JPG"),  # the person's own words and a matching extension stay
])
def test_the_stored_and_downloaded_name_follows_the_content(api, sent, stored):
    body = upload(api["editor"], JPEG, sent)
    assert body["current_version"]["original_filename"] == stored
    disposition = served_name(api["editor"], body["uid"])
    assert f'filename="{stored}"' in disposition and ".php" not in disposition and ".exe" not in disposition


def test_a_name_stored_before_the_rule_downloads_with_the_contents_extension(api):
    body = upload(api["editor"], png_bytes(), "logo.png")
    AssetVersion.objects.filter(pk=body["current_version"]["id"]).update(original_filename="logo.png.php")
    assert 'filename="logo.png"' in served_name(api["editor"], body["uid"])
