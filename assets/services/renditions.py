"""Rendition jobs: queued after a version commits, made from one decode, recorded row by row."""
from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from assets import colors
from assets.models import AssetVersion, Rendition

if TYPE_CHECKING:
    # Imported by the rendition job itself: it loads libvips, which web processes never need.
    from assets.renditions import Made

# Rendition jobs are killed after this long (a decoder that hangs on a hostile file);
# below Q_CLUSTER["retry"] so a slow job is never started twice at once.
RENDITION_TIMEOUT = 240


def queue_renditions(version_ids: list[int]) -> None:
    """Queue one rendition job per version; call only after the version's transaction commits.

    The job makes any rendition row that is missing, so this only queues.
    """
    # In a transaction of its own: outside one, django-q2's ORM broker runs close_old_connections()
    # (meant for its own broker thread) on every enqueue, which closes the caller's connection, so the
    # rest of the upload request reconnected to the database twice.
    with transaction.atomic():
        for version_id in version_ids:
            async_task("assets.tasks.renditions_generate_task", version_id, task_name=f"renditions-{version_id}",
                       group="renditions", timeout=RENDITION_TIMEOUT)


def renditions_generate(*, version_id: int, presets: list[str] | None = None) -> list[Rendition]:
    """Make the version's missing renditions from one decode, the thumbnail first; safe to run twice.

    Each rendition is committed as soon as it is made, so the thumbnail shows while the larger ones
    are still being encoded. A failure is recorded on each rendition not made ("Preview unavailable:
    ..."), never raised, and never touches the original. The perceptual hash comes with the thumbnail.
    """
    from assets import renditions  # loads libvips, which only the job worker needs

    version = AssetVersion.objects.filter(pk=version_id).first()
    if version is None:
        return []  # the version was purged after the job was queued
    wanted = presets or list(Rendition.Preset.values)
    rows = _rendition_rows(version, wanted)
    todo = [p for p, r in rows.items() if not (r.status == Rendition.Status.READY and r.file)]
    made: dict[str, Made] = {}
    try:
        for preset, result in renditions.render_each(version, todo):
            _rendition_ready(rows[preset], result, version)
            made[preset] = result
    except renditions.RenditionFailed as exc:
        Rendition.objects.filter(pk__in=[rows[p].pk for p in todo if p not in made]).update(
            status=Rendition.Status.FAILED, error=str(exc)[:500], updated_at=timezone.now())
    if Rendition.Preset.THUMB in made:
        colors.record_dominant_colors(version_id=version.pk, rendition_name=made[Rendition.Preset.THUMB].name)
    return list(_rendition_rows(version, wanted).values())


def _rendition_rows(version: AssetVersion, presets: list[str]) -> dict[str, Rendition]:
    """The version's rendition rows for these presets, in that order, read in one query. The upload
    makes them; one missing (a version from before that, a row deleted by hand) is made here."""
    rows = {r.preset: r for r in version.renditions.filter(preset__in=presets)}
    if len(rows) < len(presets):
        # A concurrent run may make the same rows: theirs and ours are equal, so a conflict is no error.
        Rendition.objects.bulk_create([Rendition(version=version, preset=p) for p in presets if p not in rows],
                                      ignore_conflicts=True)
        rows = {r.preset: r for r in version.renditions.filter(preset__in=presets)}
    return {preset: rows[preset] for preset in presets}


@transaction.atomic
def _rendition_ready(row: Rendition, result: Made, version: AssetVersion) -> None:
    # Only a row still unfinished takes the new file: a concurrent run that got there first wins,
    # and our file is removed instead of orphaned.
    updated = Rendition.objects.filter(pk=row.pk).exclude(status=Rendition.Status.READY).update(
        status=Rendition.Status.READY, file=result.name, mime_type=result.mime_type, width=result.width,
        height=result.height, size=result.size, error="", updated_at=timezone.now())
    if not updated:
        transaction.on_commit(partial(default_storage.delete, result.name))
    if result.phash and version.phash != result.phash:
        AssetVersion.objects.filter(pk=version.pk).update(phash=result.phash)


def rendition_generate(*, version_id: int, preset: str) -> Rendition | None:
    """Make (or remake) one rendition; safe to run twice. A failure is recorded, never raised."""
    made = renditions_generate(version_id=version_id, presets=[preset])
    return made[0] if made else None
