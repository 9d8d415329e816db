"""The analysis jobs: one per (version, analyser), queued after the version commits, recorded row by row.

Each job counts an attempt and records where it runs before it loads anything; a worker that dies or
overruns the analyser's time limit is reported by the cluster's sentinel (`worker_stopped`) and the run is
tried once more, then recorded as failed with a sentence. Nothing here blocks renditions or the review:
the analysis jobs are queued beside the rendition job and nobody waits for them.
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Iterator
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from analysis import products
from analysis.analysers import registry
from analysis.analysers.base import Limits, Outcome, Skipped, Source
from analysis.mapping import RawLabel, candidates
from analysis.models import AnalyserState, AnalysisRun
from analysis.services.suggestions import suggest
from assets.models import AssetVersion
from assets.services.renditions import this_worker
from search import index

logger = logging.getLogger(__name__)

TASK = "analysis.tasks.analyse_task"
# Attempts (a worker that died or overran the limit counts one) before a run is recorded as failed.
MAX_ATTEMPTS = 2
FINISHED = (AnalysisRun.Status.DONE, AnalysisRun.Status.SKIPPED, AnalysisRun.Status.FAILED,
            AnalysisRun.Status.UNAVAILABLE)


def limits() -> Limits:
    return Limits(max_pixels=settings.DAM_ANALYSIS_MAX_MEGAPIXELS * 1_000_000,
                  max_pages=settings.DAM_ANALYSIS_MAX_PAGES, max_minutes=float(settings.DAM_ANALYSIS_MAX_MINUTES))


def analysers_for(version: AssetVersion) -> list[str]:
    """The enabled, installed analysers that read this version's kind of asset."""
    kind = version.asset.asset_type
    return [slug for slug in registry.enabled()
            if not registry.missing_package(slug) and kind in registry.analyser_class(slug).kinds]


def analysis_queue(*, version_id: int, analysers: list[str] | None = None, again: bool = False) -> list[AnalysisRun]:
    """Record and queue the version's analyses (all that apply, or those named). `again` runs finished ones anew."""
    version = AssetVersion.objects.select_related("asset").filter(pk=version_id).first()
    if version is None:
        return []
    slugs = [s for s in analysers_for(version) if analysers is None or s in analysers]
    queued = []
    with transaction.atomic():
        for slug in slugs:
            run, created = AnalysisRun.objects.select_for_update().get_or_create(version=version, analyser=slug)
            if not created and not (again and run.status in FINISHED):
                continue
            if not created:
                _reset(run)
            async_task(TASK, run.pk, task_name=f"analysis-{run.pk}", group="analysis",
                       timeout=registry.analyser_class(slug).timeout)
            queued.append(run)
    return queued


def _reset(run: AnalysisRun) -> None:
    run.status, run.reason, run.attempts, run.worker = AnalysisRun.Status.QUEUED, "", 0, ""
    run.started_at = run.finished_at = None
    run.duration_ms = None
    run.queued_at = timezone.now()
    run.save(update_fields=["status", "reason", "attempts", "worker", "started_at", "finished_at", "duration_ms",
                            "queued_at"])


def analysis_request(*, version: AssetVersion, actor: User) -> list[AnalysisRun]:
    """Someone who may edit the asset asks for its version to be analysed again (after a failure, a new model)."""
    authority.require(actor, "edit", version.asset)
    runs = analysis_queue(version_id=version.pk, again=True)
    audit.record("analysis.requested", actor=actor, target=version.asset, version=version.number,
                 analysers=[r.analyser for r in runs])
    return runs


def _begin(run_id: int) -> AnalysisRun | None:
    """Count the attempt and say where it runs, committed before any model loads; None when there is nothing to do."""
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update().select_related("version__asset").filter(pk=run_id).first()
        if run is None or run.status in FINISHED:
            return None
        if run.status == AnalysisRun.Status.RUNNING and run.started_at and \
                run.started_at > timezone.now() - timedelta(seconds=registry.analyser_class(run.analyser).timeout):
            return None  # a second delivery while a worker still has it in hand
        if run.attempts >= MAX_ATTEMPTS:
            _finish(run, AnalysisRun.Status.FAILED, "It stopped its worker every time it was tried "
                                                    f"({run.attempts} times): the file may be too much for it.")
            return None
        run.attempts += 1
        run.status, run.worker, run.started_at = AnalysisRun.Status.RUNNING, this_worker(), timezone.now()
        run.save(update_fields=["attempts", "status", "worker", "started_at"])
    return run


def _finish(run: AnalysisRun, status: str, reason: str = "") -> None:
    run.status, run.reason, run.worker, run.finished_at = status, reason[:1000], "", timezone.now()
    if run.started_at:
        run.duration_ms = int((run.finished_at - run.started_at).total_seconds() * 1000)
    run.save(update_fields=["status", "reason", "worker", "finished_at", "duration_ms"])


def analysis_run(*, run_id: int) -> AnalysisRun | None:
    """The job: load the analyser (once per process), read the file, record the outcome. Safe to run twice."""
    run = _begin(run_id)
    if run is None:
        return None
    loaded = registry.load(run.analyser)
    _remember_state(run.analyser, loaded)
    if loaded.analyser is None:
        _finish(run, AnalysisRun.Status.UNAVAILABLE, loaded.reason)
        return run
    run.model_name, run.model_version = loaded.model.name, loaded.model.version  # type: ignore[union-attr]
    run.model_sha256 = loaded.model.sha256  # type: ignore[union-attr]
    run.save(update_fields=["model_name", "model_version", "model_sha256"])
    version = run.version
    started = time.monotonic()
    try:
        _check_limits(version, run.analyser)
        with _source(version) as source:
            outcome = loaded.analyser.analyse(source, limits())
    except Skipped as exc:
        _finish(run, AnalysisRun.Status.SKIPPED, str(exc))
        return run
    except Exception as exc:  # a model failing on one file must not stop the worker or the other analysers
        logger.exception("Analyser %s failed on version %s", run.analyser, version.pk)
        _finish(run, AnalysisRun.Status.FAILED, f"The analyser failed on this file: {_sentence(exc)}")
        return run
    run.duration_ms = int((time.monotonic() - started) * 1000)
    record_outcome(run, outcome)
    return run


def _sentence(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    return text[:300]


def _check_limits(version: AssetVersion, slug: str) -> None:
    bound = limits()
    if version.width and version.height and version.width * version.height > bound.max_pixels:
        raise Skipped(f"The picture has {version.width * version.height / 1e6:.0f} megapixels; content analysis "
                      f"reads up to {bound.max_pixels / 1e6:.0f}.")
    if slug == "transcript" and version.duration and version.duration > bound.max_minutes * 60:
        raise Skipped(f"The recording is {version.duration / 60:.0f} minutes long; transcripts are made of "
                      f"recordings up to {bound.max_minutes:.0f} minutes.")


@contextlib.contextmanager
def _source(version: AssetVersion) -> Iterator[Source]:
    from analysis.analysers.files import FileSource
    from assets.renditions import local_copy  # libvips: the job worker only

    with local_copy(version) as path:
        yield FileSource(path, version.mime_type, version.asset.asset_type, width=version.width,
                         height=version.height, duration=version.duration, pages=version.pages)


def record_outcome(run: AnalysisRun, outcome: Outcome) -> None:
    """Store what the analyser found, then what follows from it: the version's searchable text, suggested (or
    applied) terms, and product links from barcodes; the search index rewritten once, in the same transaction."""
    version = run.version
    with transaction.atomic(), index.coalesced():
        run.labels = [{"text": label.text, "confidence": round(float(label.confidence), 4),
                       **({"also": list(label.also)} if label.also else {})}
                      for label in outcome.labels]
        run.text, run.data = outcome.text.strip(), outcome.data
        run.save(update_fields=["labels", "text", "data", "duration_ms"])
        _finish(run, AnalysisRun.Status.DONE)
        _update_content_text(version)
        raw = [RawLabel(label["text"], label["confidence"], run.analyser, tuple(label.get("also", ())))
               for label in run.labels]
        suggest(asset=version.asset, version=version, found=candidates(raw))
        if run.analyser == "barcodes":
            products.link_products(version, run.data.get("codes", []))


def _update_content_text(version: AssetVersion) -> None:
    texts = AnalysisRun.objects.filter(version=version, status=AnalysisRun.Status.DONE).exclude(text="").order_by(
        "analyser").values_list("text", flat=True)
    version.content_text = "\n".join(texts)
    version.save(update_fields=["content_text"])


def _remember_state(slug: str, loaded: registry.Loaded) -> None:
    model = loaded.model
    AnalyserState.objects.update_or_create(analyser=slug, defaults={
        "available": loaded.analyser is not None, "reason": loaded.reason,
        "model_name": model.name if model else "", "model_version": model.version if model else "",
        "licence": model.licence if model else ""})


def worker_stopped(*, worker: str, exitcode: int | None, timed_out: bool) -> None:
    """The sentinel saw a worker die or overrun: its running analysis is tried again, or failed after MAX_ATTEMPTS."""
    for run in AnalysisRun.objects.filter(status=AnalysisRun.Status.RUNNING, worker=worker):
        _stopped(run, timed_out=timed_out)


def _stopped(run: AnalysisRun, *, timed_out: bool) -> None:
    why = ("took longer than its time limit" if timed_out else "stopped its worker")
    with transaction.atomic():
        run = AnalysisRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AnalysisRun.Status.RUNNING:
            return
        if run.attempts >= MAX_ATTEMPTS:
            _finish(run, AnalysisRun.Status.FAILED, f"The analyser {why} on this file, {run.attempts} times.")
            return
        run.status, run.worker = AnalysisRun.Status.QUEUED, ""
        run.save(update_fields=["status", "worker"])
        async_task(TASK, run.pk, task_name=f"analysis-{run.pk}", group="analysis",
                   timeout=registry.analyser_class(run.analyser).timeout)


def analysis_recover() -> int:
    """Every few minutes: runs still "running" long after their time limit died where no sentinel saw."""
    stalled = 0
    for run in AnalysisRun.objects.filter(status=AnalysisRun.Status.RUNNING):
        limit = timedelta(seconds=registry.analyser_class(run.analyser).timeout + 60)
        if run.started_at and run.started_at < timezone.now() - limit:
            _stopped(run, timed_out=True)
            stalled += 1
    return stalled
