"""The push job: send one push's usages (a file, then a draft per Postiz channel, or a WordPress attachment).

Safe to run twice and to die halfway: each run first claims its usages with one conditional UPDATE (counting
the attempt and holding them for HOLD), the file the target took is remembered on every usage of the push
(`progress`) before anything else is sent, so a retried job never uploads it twice and never makes a post
without it; each draft is recorded as soon as the target answers. A target that asks to wait (429, a 5xx, a
timeout) is tried again after the wait by the minute sweep, up to MAX_ATTEMPTS; a refusal (a key refused, a
file it will never take) fails at once with the target's reason.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from assets.embedding import WRITABLE, rights_in_bytes
from assets.models import Asset, Rendition
from assets.permissions import is_approved_and_usable
from assets.services.renditions import derivative_generate
from distribution import delivery, derivatives, embedding, outbound
from distribution.connections import files, usages
from distribution.connections.channels import channels_refusal
from distribution.connections.clients import Media, Problem, Upload
from distribution.models import Connection, Preset, Usage

logger = logging.getLogger(__name__)

TASK = "distribution.tasks.push_task"
TASK_TIMEOUT = 600  # a 1 GB video to Postiz over a slow line
MAX_ATTEMPTS = 5
HOLD = timedelta(seconds=TASK_TIMEOUT + 60)
LOST_AFTER = timedelta(minutes=2)  # a queued usage no job took this long after it was written lost its job
DEFAULT_WAIT = 60.0

POSTIZ_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4"})
WORDPRESS_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "video/mp4", "application/pdf"})


def queue(usage_ids: list[int]) -> None:
    """Queue the job for one push's usages; call after their transaction commits."""
    with transaction.atomic():  # see distribution.webhooks.delivery.queue
        async_task(TASK, usage_ids, task_name=f"push-{usage_ids[0]}", group="connections", timeout=TASK_TIMEOUT)


def _claim(usage_ids: list[int]) -> list[Usage]:
    now = timezone.now()
    hold = now + HOLD
    Usage.objects.filter(Q(next_attempt_at=None) | Q(next_attempt_at__lte=now), pk__in=usage_ids,
                         state=Usage.State.QUEUED).update(attempts=F("attempts") + 1, next_attempt_at=hold)
    return list(Usage.objects.select_related("connection", "asset", "version").filter(
        pk__in=usage_ids, state=Usage.State.QUEUED, next_attempt_at=hold).order_by("pk"))


def _fail(rows: list[Usage], message: str) -> None:
    Usage.objects.filter(pk__in=[u.pk for u in rows]).update(state=Usage.State.FAILED, reason=message[:1000],
                                                              next_attempt_at=None, updated_at=timezone.now())


def _wait(rows: list[Usage], problem: Problem) -> None:
    """Try again after the target's wait, or fail once the attempts are spent."""
    spent = [u for u in rows if u.attempts >= MAX_ATTEMPTS]
    if spent:
        _fail(spent, f"{problem.message} (gave up after {MAX_ATTEMPTS} attempts)")
    again = [u.pk for u in rows if u.attempts < MAX_ATTEMPTS]
    wait = timedelta(seconds=max(1.0, problem.retry_after or DEFAULT_WAIT))
    Usage.objects.filter(pk__in=again).update(reason=f"Waiting to try again: {problem.message}"[:1000],
                                              next_attempt_at=timezone.now() + wait, updated_at=timezone.now())


def push_usages(*, usage_ids: list[int]) -> dict[str, int]:
    """Send what is due among these usages (one push's); how many ended pushed, failed or waiting."""
    rows = _claim(usage_ids)
    if rows:
        try:
            _send(rows)
        except Problem as exc:
            if exc.retry_after is not None:
                _wait(rows, exc)
            else:
                _fail(rows, exc.message)
        except outbound.Refused as exc:
            _fail(rows, f"Not sent: {exc}")
        except outbound.CallFailed as exc:
            _wait(rows, Problem(str(exc), retry_after=DEFAULT_WAIT))
        except Exception as exc:  # a bug must not leave the usages held with no reason given
            logger.exception("Push of usages %s failed", usage_ids)
            _fail([u for u in rows if not u.remote_id], f"The DAM could not send it ({type(exc).__name__}).")
    states = Usage.objects.filter(pk__in=usage_ids).values_list("state", flat=True)
    counts: dict[str, int] = defaultdict(int)
    for state in states:
        counts[state] += 1
    return dict(counts)


def _send(rows: list[Usage]) -> None:
    first = rows[0]
    connection = first.connection
    if connection is None:
        raise Problem("Not sent: the connection was deleted.")
    asset = Asset.objects.select_related("collection").get(pk=first.asset_id)
    if asset.approved_version_id != first.version_id or not is_approved_and_usable(asset):
        raise Problem("Not sent: the version is no longer the approved one, or the asset may no longer be used.")
    if (refusal := channels_refusal(asset, connection)) is not None:  # edited since the push was accepted
        raise Problem(f"Not sent: {refusal}")
    from distribution.connections.services import client_for

    client = client_for(connection)
    media = _media(rows)
    if media is None:
        upload = _file(first, connection)
        media = client.upload(upload)
        sent = {"name": upload.name, "format": upload.mime, "size": len(upload.data), "width": upload.width,
                "height": upload.height, "converted": " ".join(upload.notes)}
        progress = {"media": {"id": media.id, "path": media.path, "url": media.url}}
        Usage.objects.filter(pk__in=[u.pk for u in rows]).update(progress=progress, sent=sent)
        for u in rows:
            u.progress, u.sent = progress, sent
    if connection.kind == Connection.Kind.POSTIZ:
        _drafts(client, rows, media, asset)
    else:
        _describe(client, rows[0], media, asset)


def _media(rows: list[Usage]) -> Media | None:
    for u in rows:
        found = (u.progress or {}).get("media")
        if found:
            return Media(id=str(found["id"]), path=found.get("path", ""), url=found.get("url", ""))
    return None


def _file(usage: Usage, connection: Connection) -> Upload:
    """The preset's file of the pushed version, made now if it is not yet, fitted to what the target takes."""
    preset = Preset.objects.filter(name=usage.preset).first()
    if preset is None:
        raise Problem(f"Not sent: the preset “{usage.preset}” no longer exists.")
    try:
        derivative = derivatives.derivative_for(usage.version, preset, make_now=False)
    except derivatives.PresetUnavailable as exc:
        raise Problem(f"Not sent: {exc}") from None
    if derivative.rendition is not None and not derivative.ready:
        made = derivative_generate(rendition_id=derivative.rendition.pk)
        if made is None or made.status != Rendition.Status.READY:
            why = made.error if made is not None and made.error else "it could not be made"
            if made is not None and made.status == Rendition.Status.PENDING:
                raise Problem("The file is still being made.", retry_after=30)
            raise Problem(f"Not sent: the {preset.label} file could not be made: {why}")
        derivative = derivatives.derivative_for(usage.version, preset, make_now=False)
    copy = (embedding.original_with_rights(usage.version, clean_location=False)
            if derivative.rendition is None else None)  # an original goes with the rights written, as downloads do
    with copy or derivative.open() as handle:
        data = handle.read()
    name = delivery.file_name(usage.asset, preset)
    if connection.kind == Connection.Kind.POSTIZ:
        upload = files.fit(data, name, accept=POSTIZ_TYPES, max_bytes=10 * 1024 * 1024, max_video_bytes=1024 ** 3)
    else:
        upload = files.fit(data, name, accept=WORDPRESS_TYPES, max_bytes=100 * 1024 * 1024,
                           max_video_bytes=1024 ** 3, target="WordPress")
    if upload.data is not data and upload.mime in WRITABLE and preset.metadata != Preset.Metadata.STRIP:
        # Converted to fit the target: encoding again dropped the metadata, so the rights are written again.
        upload = replace(upload, data=rights_in_bytes(upload.data, embedding.rights_for(usage.asset)))
    return upload


def alt_text(asset: Asset) -> str:
    from distribution.picker import alt_text as picker_alt

    return picker_alt(asset)


def _drafts(client: Any, rows: list[Usage], media: Media, asset: Asset) -> None:
    names = {c.id: c.name for c in client.channels()}
    for usage in rows:
        if usage.remote_id:
            continue
        if usage.channel not in names:
            _fail([usage], f"Postiz has no channel “{usage.channel}” (it may have been removed).")
            continue
        try:
            post_id = client.create_draft(channel_id=usage.channel, text=usage.text, media=media,
                                          alt=alt_text(asset))
        except Problem as exc:
            if not exc.maybe_done:
                raise
            # Sending it again could make a second draft: a person looks in Postiz first.
            _fail([usage], f"Postiz did not confirm the draft ({exc.message.rstrip('.')}); it may have been made. "
                           "Look in Postiz before sending again.")
            continue
        Usage.objects.filter(pk=usage.pk).update(
            state=Usage.State.PUSHED, remote_id=str(post_id)[:200], channel_name=names[usage.channel][:200],
            reason="", next_attempt_at=None, updated_at=timezone.now())


def _describe(client: Any, usage: Usage, media: Media, asset: Asset) -> None:
    from distribution.embedding import credit

    caption = " · ".join(p for p in (credit(asset), asset.licence) if p)
    client.describe(media.id, title=asset.title, alt=alt_text(asset), caption=caption,
                    description=asset.description)
    Usage.objects.filter(pk=usage.pk).update(
        state=Usage.State.PUSHED, remote_id=media.id[:200], remote_url=(media.url or media.path)[:2000], reason="",
        next_attempt_at=None, updated_at=timezone.now())


def push_retry_due() -> int:
    """The minute sweep: queue the usages whose wait is over or whose job was lost; outdate what may no longer be
    used. Returns how many jobs were queued."""
    now = timezone.now()
    due = Usage.objects.filter(state=Usage.State.QUEUED).filter(
        Q(next_attempt_at__lte=now) | Q(next_attempt_at=None, created_at__lte=now - LOST_AFTER))
    # A Postiz push's channels share one upload; every WordPress push is an attachment of its own.
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for pk, system, connection_id, version_id, preset in due.values_list(
            "pk", "system", "connection_id", "version_id", "preset")[:500]:
        groups[(pk,) if system == Usage.System.WORDPRESS else (connection_id, version_id, preset)].append(pk)
    for ids in groups.values():
        queue(ids)
    usages.outdate_unusable()
    return len(groups)
