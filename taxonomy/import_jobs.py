"""Vocabulary imports sent through the web, run by a background job that shows how far it got.

The request only stores the file and queues the job (a 50,000-concept thesaurus takes minutes to
import, far longer than a request should). The job reads the file with `importing.vocabulary_import`,
recording the concepts read of the total as it goes, then keeps the report (or the refusal) on its row
for the job page.
"""
from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from functools import partial
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from taxonomy import importing, skos
from taxonomy.models import Vocabulary, VocabularyImport

logger = logging.getLogger(__name__)

TASK = "taxonomy.tasks.vocabulary_import_task"
# Above the 50,000-concept figures in docs/performance.md (185 s on SQLite) with room for a slow day. The
# broker may hand the job out again before this (its retry); the second run sees the first running and stops.
TIMEOUT = 1200
# The API imports files up to this size in the request, as before (a few thousand concepts: seconds); larger
# ones are answered with the job. The web form always uses a job, so it can show its progress.
API_AT_ONCE_BYTES = 2 * 1024 * 1024
LISTED = 200  # terms of each kind named on the report page; the counts cover all of them
LISTED_WARNINGS = 50
State = VocabularyImport.State


def vocabulary_import_request(*, actor: User, fileobj: IO[bytes], filename: str, size: int, fmt: str | None = None,
                              external: str = "keep", csv_scheme: tuple[str, str, str] | None = None,
                              remove_missing: bool = False, dry_run: bool = False) -> VocabularyImport:
    """Store the file and queue its import. Raises skos.SkosError at once for a file over the size limit."""
    authority.require(actor, "import", Vocabulary)
    skos.check_size(size)
    key = default_storage.save(f"staging/vocabularies/{uuid.uuid4().hex}", File(fileobj))
    try:
        with transaction.atomic():
            job = VocabularyImport.objects.create(
                created_by=actor, filename=filename[:255], key=key, dry_run=dry_run,
                options={"fmt": fmt, "external": external, "csv_scheme": list(csv_scheme) if csv_scheme else None,
                         "remove_missing": remove_missing})
            audit.record("taxonomy.vocabulary.import_requested", actor=actor, target=job, filename=job.filename,
                         dry_run=dry_run)
            transaction.on_commit(partial(_queue, job.pk))
    except BaseException:
        default_storage.delete(key)  # no stored file without its row
        raise
    return job


def _queue(job_id: int) -> None:
    with transaction.atomic():  # see assets.services.queue_renditions: the ORM broker closes a bare connection
        async_task(TASK, job_id, task_name=f"vocabulary-import-{job_id}", group="vocabulary-import",
                   timeout=TIMEOUT)


def stalled(job: VocabularyImport) -> bool:
    """A job still marked running long after its time limit: its worker was ended, and nothing was changed."""
    return job.state == State.RUNNING and job.updated_at < timezone.now() - timedelta(seconds=TIMEOUT + 60)


def vocabulary_import_run(*, job_id: int) -> VocabularyImport | None:
    """Run one queued import to its end; safe to run twice (a job already started or ended is left alone)."""
    # Claimed by one update, so a second delivery of the same job (the broker's retry) does not import it again.
    if not VocabularyImport.objects.filter(pk=job_id, state=State.QUEUED).update(
            state=State.RUNNING, started_at=timezone.now(), stage=VocabularyImport.Stage.PARSE):
        return VocabularyImport.objects.filter(pk=job_id).first()
    job = VocabularyImport.objects.select_related("created_by").get(pk=job_id)
    options = job.options
    scheme = options.get("csv_scheme")
    try:
        with default_storage.open(job.key, "rb") as stored:
            data = stored.read()
        result = importing.vocabulary_import(
            data=data, filename=job.filename, actor=job.created_by, fmt=options.get("fmt"),
            external=options.get("external", "keep"), csv_scheme=tuple(scheme) if scheme else None,
            remove_missing=bool(options.get("remove_missing")), dry_run=job.dry_run,
            progress=partial(_progress, job, len(transaction.get_connection().atomic_blocks)))
    except skos.SkosError as exc:
        return _ended(job, State.REFUSED, report={"problems": [_problem(p) for p in exc.problems]})
    except Exception as exc:
        logger.exception("vocabulary import %s failed", job.pk)
        return _ended(job, State.FAILED, error=f"The import stopped on an unexpected error ({exc.__class__.__name__}); "
                                               "nothing was changed. Try again, or ask an administrator to look "
                                               "at the server's log.")
    return _ended(job, State.DONE, report=_report(result))


def _progress(job: VocabularyImport, depth: int, stage: str, done: int, total: int) -> None:
    """Record how far the import got, for the job page. Writes inside the import's own transaction would be
    seen by no one until it ends (and a dry run rolls them back), so the writing stage is recorded once, when
    it starts. `depth`: the transactions open when the job began (a test's own, or none in a worker)."""
    if len(transaction.get_connection().atomic_blocks) > depth:
        return
    if stage == "read" and total and done >= total:
        stage, done = VocabularyImport.Stage.WRITE, 0
    job.stage, job.done, job.total = stage, done, total
    VocabularyImport.objects.filter(pk=job.pk).update(stage=stage, done=done, total=total, updated_at=timezone.now())


def _ended(job: VocabularyImport, state: str, *, report: dict[str, Any] | None = None,
           error: str = "") -> VocabularyImport:
    with transaction.atomic():
        job.state, job.report, job.error, job.finished_at = state, report or {}, error, timezone.now()
        if state == State.DONE:
            job.done = job.total
        key, job.key = job.key, ""
        job.save(update_fields=["state", "report", "error", "finished_at", "done", "key", "updated_at"])
        if key:
            transaction.on_commit(partial(default_storage.delete, key))
    return job


def _problem(problem: skos.Problem) -> dict[str, Any]:
    return {"line": problem.line, "subject": problem.subject, "message": problem.message}


def _report(result: importing.ImportResult) -> dict[str, Any]:
    """What the report page shows, kept on the job: a dry run's terms are gone once it rolled back."""
    live = not result.dry_run

    def term(t: Any, **more: Any) -> dict[str, Any]:
        return {"label": t.label, "url": t.get_absolute_url() if live and t.pk else "", **more}

    return {
        "vocabularies": [{"title": v.title, "url": v.get_absolute_url() if live and v.pk else ""}
                         for v in result.vocabularies],
        "summary": result.summary(),
        "created": [term(t) for t in result.created_terms[:LISTED]], "created_count": result.created,
        "changed": [term(t, what=result.changes.get(t.uri, [])) for t in result.changed_terms[:LISTED]],
        "changed_count": len(result.changed_terms),
        "deprecated": [t.label for t in result.deprecated_terms[:LISTED]],
        "removed": result.removed[:LISTED],
        "warnings": [_problem(w) for w in result.warnings[:LISTED_WARNINGS]], "warning_count": len(result.warnings),
    }
