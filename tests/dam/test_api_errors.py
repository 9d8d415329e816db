"""Requests the framework refuses before any view runs still get the API's JSON error, with the limit named."""
from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assets.models import Asset
from tests.factories import png_bytes


def assert_json_error(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert words in body["detail"] and "errors" in body


def test_too_many_files_in_one_request(api, settings):
    files = {f"file{i}": SimpleUploadedFile(f"p{i}.png", png_bytes()) for i in range(101)}
    response = api["editor"].post("/api/v1/assets/", files, format="multipart")
    assert_json_error(response, 400, f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}")
    assert Asset.objects.count() == 0


def test_too_many_fields_in_one_request(api, settings):
    fields = {f"field{i}": "x" for i in range(1001)}
    fields["file"] = SimpleUploadedFile("p.png", png_bytes())
    response = api["editor"].post("/api/v1/assets/", fields, format="multipart")
    assert_json_error(response, 400, f"at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}")
    assert Asset.objects.count() == 0


def test_too_many_fields_at_the_token_endpoint_is_json(db):
    response = Client().post("/api/v1/auth/token/", {f"field{i}": "x" for i in range(1001)})
    assert_json_error(response, 400, "Too many fields")


def test_too_many_fields_on_a_page_is_the_sites_error_page(people):
    client = Client()
    client.force_login(people["editor"])
    response = client.post("/assets/upload/", {f"field{i}": "x" for i in range(1001)})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert "Too many fields in one request" in response.content.decode()


def test_a_failed_csrf_check_on_the_api_is_json(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["editor"])  # session auth: DRF checks the CSRF token
    response = client.post("/api/v1/batches/", {"on_duplicate": "report"})
    assert response.status_code == 403 and response["Content-Type"].startswith("application/json")
    assert "CSRF" in response.json()["detail"]


def test_an_unknown_method_is_json(api):
    response = api["editor"].put("/api/v1/assets/", {})
    assert_json_error(response, 405, "not allowed")


def test_the_api_schema_and_docs_are_for_signed_in_people_unless_opened(client, api, settings):
    for path in ("/api/v1/schema/", "/api/v1/docs/"):
        assert client.get(path).status_code in (401, 403)
        assert api["viewer"].get(path).status_code == 200
    settings.DAM_API_DOCS_PUBLIC = True
    assert client.get("/api/v1/schema/").status_code == 200
