"""Vocabulary imports sent through the web run as background jobs: progress on the job, then the report."""
from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from taxonomy import import_jobs, tasks
from taxonomy.models import Term, Vocabulary, VocabularyImport
from tests.conftest import PERSONAS

pytestmark = pytest.mark.django_db
IMPORTERS = {"admin", "librarian"}

HEAD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <https://j.example/s/> .
ex: a skos:ConceptScheme ; skos:prefLabel "Jobs"@en .
"""
CONCEPTS = "".join(f'ex:c{i} a skos:Concept ; skos:inScheme ex: ; skos:prefLabel "Concept {i}"@en ; '
                   f"skos:related ex:elsewhere{i} .\n" for i in range(2500))


def _send(client, text: str, **fields) -> VocabularyImport:
    response = client.post("/vocabulary/import/", {"file": SimpleUploadedFile("jobs.ttl", text.encode()),
                                                    "external": "keep", **fields})
    assert response.status_code == 302
    job = VocabularyImport.objects.get()
    assert response.url == job.get_absolute_url()
    return job


def test_the_request_only_stores_the_file_and_queues_the_job_after_commit(web, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        job = _send(web("librarian"), HEAD + CONCEPTS)
    assert len(queued) == 1 and job.state == VocabularyImport.State.QUEUED and default_storage.exists(job.key)
    assert not Vocabulary.objects.exists()
    page = web("librarian").get(job.get_absolute_url()).content.decode()
    assert "is waiting for a background worker" in page and "data-job-poll" in page


def test_the_job_records_progress_then_keeps_the_report(web, monkeypatch):
    client = web("librarian")
    job = _send(client, HEAD + CONCEPTS)
    seen: list[tuple[str, int, int]] = []
    record = import_jobs._progress

    def watch(job, depth, stage, done, total):
        record(job, depth, stage, done, total)
        row = VocabularyImport.objects.get(pk=job.pk)
        seen.append((row.stage, row.done, row.total))

    monkeypatch.setattr(import_jobs, "_progress", watch)
    assert tasks.vocabulary_import_task(job.pk) == "done"
    assert ("read", 1000, 2500) in seen and ("read", 2000, 2500) in seen and ("write", 0, 2500) in seen
    job.refresh_from_db()
    assert job.state == "done" and job.done == job.total == 2500 and job.key == ""
    assert Term.objects.count() == 2500
    page = client.get(job.get_absolute_url()).content.decode()
    assert "2,500 term(s) added, 0 changed, 0 unchanged." in page
    assert "2,500 reference(s) to concepts outside the file kept as external links" in page
    assert "data-job-poll" not in page and ">Concept 0</a>" in page
    assert tasks.vocabulary_import_task(job.pk) == "done"  # run twice: left alone
    assert Term.objects.count() == 2500


def test_the_running_page_shows_concepts_read_of_the_total(web):
    client = web("librarian")
    job = _send(client, HEAD + CONCEPTS)
    VocabularyImport.objects.filter(pk=job.pk).update(state="running", stage="read", done=1000, total=2500)
    part = client.get(f"{job.get_absolute_url()}?partial=1").content.decode()
    assert "1,000 of 2,500 concepts read." in part and 'value="1000"' in part and "<html" not in part


def test_a_dry_run_job_reports_and_changes_nothing(web):
    client = web("librarian")
    job = _send(client, HEAD + CONCEPTS, dry_run="on")
    tasks.vocabulary_import_task(job.pk)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "This was a preview: nothing was changed." in page and "2,500 term(s) would be added" in page
    assert not Term.objects.exists() and not Vocabulary.objects.exists()


def test_a_refused_file_changes_nothing_and_names_the_cause(web):
    client = web("librarian")
    job = _send(client, HEAD + CONCEPTS + "ex:c1 skos:broader ex:c2 . ex:c2 skos:broader ex:c1 .\n")
    assert tasks.vocabulary_import_task(job.pk) == "refused"
    job.refresh_from_db()
    assert job.key == "" and not Term.objects.exists() and not Vocabulary.objects.exists()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "nothing was changed" in page and "skos:broader forms a cycle" in page


def test_a_file_over_the_limit_is_refused_before_it_is_stored(web, settings):
    settings.DAM_VOCABULARY_MAX_MB = 0
    response = web("librarian").post("/vocabulary/import/", {
        "file": SimpleUploadedFile("jobs.ttl", (HEAD + CONCEPTS).encode()), "external": "keep"})
    assert response.status_code == 400 and "can be imported" in response.content.decode()
    assert not VocabularyImport.objects.exists()


@pytest.mark.parametrize("role", list(PERSONAS))
def test_only_librarians_and_admins_import_and_see_import_jobs(role, web, people):
    job = VocabularyImport.objects.create(created_by=people["librarian"], filename="jobs.ttl")
    client = web(role)
    expected = 200 if role in IMPORTERS else 403
    assert client.get(job.get_absolute_url()).status_code == expected
    sent = client.post("/vocabulary/import/", {"file": SimpleUploadedFile("x.ttl", HEAD.encode()),
                                               "external": "keep"})
    assert sent.status_code == (302 if role in IMPORTERS else 403)
    assert VocabularyImport.objects.count() == (2 if role in IMPORTERS else 1)
    if role in IMPORTERS:
        assert client.get("/vocabulary/import/999999/").status_code == 404


@pytest.mark.parametrize("role", ["librarian", "editor", "outsider"])
def test_the_api_answers_a_large_file_with_its_job_and_follows_it(role, api, settings, monkeypatch):
    monkeypatch.setattr(import_jobs, "API_AT_ONCE_BYTES", 1000)
    sent = api[role].post("/api/v1/vocabularies/import/", {
        "file": SimpleUploadedFile("jobs.ttl", (HEAD + CONCEPTS).encode())}, format="multipart")
    if role != "librarian":
        assert sent.status_code == 403 and not VocabularyImport.objects.exists()
        job = VocabularyImport.objects.create(filename="jobs.ttl")
        assert api[role].get(f"/api/v1/vocabularies/imports/{job.pk}/").status_code == 403
        return
    assert sent.status_code == 202 and sent.json()["state"] == "queued"
    tasks.vocabulary_import_task(sent.json()["id"])
    followed = api[role].get(sent.json()["api_url"]).json()
    assert followed["state"] == "done" and followed["done"] == followed["total"] == 2500
    assert followed["report"]["summary"][0] == "2,500 term(s) added, 0 changed, 0 unchanged."
    assert api[role].get("/api/v1/vocabularies/imports/999999/").status_code == 404


def test_the_import_page_lists_recent_imports_to_come_back_to(web):
    client = web("librarian")
    job = _send(client, HEAD + CONCEPTS[:200], dry_run="on")
    page = client.get("/vocabulary/import/").content.decode()
    assert f'href="{job.get_absolute_url()}">jobs.ttl</a> <span class="help">(preview)</span>' in page
    assert "Waiting to start" in page
