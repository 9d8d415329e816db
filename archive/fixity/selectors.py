"""Reads for the fixity screens, API and command."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from accounts import permissions as authority
from archive.models import FixityCheck, FixityProblem, FixityRun
from archive.models.fixity import STALE
from assets.models import AssetVersion, Collection


def runs_visible_to(user: Any) -> QuerySet[FixityRun]:
    return authority.visible(user, FixityRun.objects.select_related("started_by", "collection"))


def access_run(user: Any, run_id: int) -> FixityRun:
    """The run, if the user may see it (404 otherwise)."""
    return authority.access(user, FixityRun.objects.select_related("started_by", "collection"), pk=run_id)


def run_problems(run: FixityRun) -> QuerySet[FixityProblem]:
    return run.problems.select_related("version__asset").order_by("kind", "id")


def running_run() -> FixityRun | None:
    """The run going on now, if any. One whose heartbeat stopped (its worker died) does not count: the next
    start closes it as incomplete, so it must not hide "Run a check now"."""
    alive = timezone.now() - STALE
    return FixityRun.objects.filter(state=FixityRun.State.RUNNING, heartbeat_at__gte=alive).first()


def last_check(version: AssetVersion | None) -> FixityCheck | None:
    """The last fixity check of a version's original (one indexed lookup), for the asset page."""
    if version is None:
        return None
    return FixityCheck.objects.filter(version_id=version.pk).first()


def collection_named(value: str) -> Collection | None:
    """A folder by id, or by its path of names ("Library/Campaigns/2026"), as import_assets takes it."""
    if value.isdigit():
        return Collection.objects.filter(pk=int(value)).first()
    found = None
    for name in [part for part in value.split("/") if part]:
        found = Collection.objects.filter(parent=found, name__iexact=name).first()
        if found is None:
            return None
    return found
