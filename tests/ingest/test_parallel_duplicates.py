"""The same file sent ten times at once becomes one asset: nine senders are told it is a duplicate of that one,
and nothing of theirs is kept (on SQLite the writers take turns; on PostgreSQL a lock on the content hash)."""
from __future__ import annotations

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from accounts.roles import Role
from assets.models import Asset, AssetVersion
from tests.factories import CORPUS, make_user
from tests.ingest.helpers import stored_files

SENDERS = 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the roles' groups, for the tests after
def test_ten_identical_uploads_at_once_make_one_asset(settings):
    editor = make_user("parallel", Role.EDITOR)
    data = (CORPUS / "real" / "Nikon_D70.jpg").read_bytes()
    barrier = threading.Barrier(SENDERS)
    answers: list[tuple[int, dict]] = []

    def send(i: int) -> None:
        client = APIClient()
        client.force_authenticate(editor)
        try:
            barrier.wait()
            response = client.post("/api/v1/assets/", {"file": SimpleUploadedFile(f"copy{i}.jpg", data)},
                                   format="multipart")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (SENDERS - 1), answers
    created = next(body for status, body in answers if status == 201)
    assert {body["duplicate_of"] for status, body in answers if status == 409} == {created["uid"]}
    assert Asset.objects.count() == 1 and AssetVersion.objects.count() == 1
    originals = [p for p in stored_files(settings.STORAGES["default"]["OPTIONS"]["location"])
                 if "originals" in p.parts]
    assert len(originals) == 1  # the nine refused copies were removed
