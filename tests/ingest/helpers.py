"""Shared helpers for the ingest tests: the corpus, uploads through the batch API, stored files."""
from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import CORPUS


def stored_files(media_root: Path) -> list[Path]:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def open_batch(client, **fields) -> dict:
    response = client.post("/api/v1/batches/", fields, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def send(client, batch_id: int, data: bytes, name: str, **fields) -> list[dict]:
    response = client.post(f"/api/v1/batches/{batch_id}/files/", {"file": SimpleUploadedFile(name, data), **fields},
                           format="multipart")
    assert response.status_code == 201, response.content
    return response.json()["items"]


def ingest_corpus_file(client, relative: str, captured) -> dict:
    """Send one corpus file through a fresh batch, running the rendition jobs; return its single item."""
    batch = open_batch(client)
    with captured(execute=True):
        items = send(client, batch["id"], (CORPUS / relative).read_bytes(), Path(relative).name)
    assert len(items) == 1, items
    return items[0]
