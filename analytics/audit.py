"""Reading the audit trail for admins: the events, narrowed by the audit log's filters, and each as a row.

Only admins read the whole trail (Cap.ADMINISTER); every reader asks `audit_events` first, which
refuses the others. The sentences come from accounts.audit (each app registers its own).
"""
from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import AuditEvent, User
from accounts.permissions import Cap
from assets.models import Asset, AssetVersion, Collection
from dam.spreadsheets import safe_cell
from workflows.models import Review

CSV_COLUMNS = ["When", "Who", "Action", "Object type", "Object", "What happened", "Details"]


def audit_events(user: User) -> QuerySet[AuditEvent]:
    """The whole trail, newest first, for an admin (PermissionDenied for anyone else)."""
    authority.require(user, Cap.ADMINISTER)
    return AuditEvent.objects.select_related("actor", "target_type")


def by_actor(events: QuerySet[AuditEvent], actor: User) -> QuerySet[AuditEvent]:
    return events.filter(actor=actor)


def by_action(events: QuerySet[AuditEvent], verb: str) -> QuerySet[AuditEvent]:
    return events.filter(verb=verb)


def by_object(events: QuerySet[AuditEvent], text: str) -> QuerySet[AuditEvent]:
    """An asset's uid: the events about the asset, its versions and its reviews (and a purged asset's).
    Anything else: the events whose object's name contains the text."""
    try:
        uid = uuid.UUID(text.strip())
    except ValueError:
        return events.filter(target_repr__icontains=text.strip())
    # Events that outlive their asset (purged, BagIt requests) keep its uid in their details.
    about = Q(data__uid=str(uid)) | Q(data__asset=str(uid))
    asset = Asset.objects.filter(uid=uid).first()
    if asset is not None:
        versions = [str(pk) for pk in AssetVersion.objects.filter(asset=asset).values_list("pk", flat=True)]
        reviews = [str(pk) for pk in Review.objects.filter(version__asset=asset).values_list("pk", flat=True)]
        about |= (Q(target_type=_type(Asset), target_id=str(asset.pk))
                  | Q(target_type=_type(AssetVersion), target_id__in=versions)
                  | Q(target_type=_type(Review), target_id__in=reviews))
    return events.filter(about)


def by_collection(events: QuerySet[AuditEvent], collection: Collection) -> QuerySet[AuditEvent]:
    """The events about the folder, the folders below it and the assets in any of them."""
    folders = Collection.objects.filter(path__startswith=collection.path)
    # target_id is text (it names rows of any table): compare with the ids as text, in one subquery each.
    folder_ids = folders.annotate(key=Cast("pk", CharField())).values("key")
    asset_ids = Asset.objects.filter(collection__in=folders.values("pk")).annotate(
        key=Cast("pk", CharField())).values("key")
    return events.filter(Q(target_type=_type(Asset), target_id__in=asset_ids)
                         | Q(target_type=_type(Collection), target_id__in=folder_ids))


def by_dates(events: QuerySet[AuditEvent], since: date | None, until: date | None) -> QuerySet[AuditEvent]:
    """From the start of `since` to the end of `until`, both days in the site's time zone."""
    if since is not None:
        events = events.filter(created_at__gte=_day_start(since))
    if until is not None:
        events = events.filter(created_at__lt=_day_start(until + timedelta(days=1)))
    return events


def by_text(events: QuerySet[AuditEvent], text: str) -> QuerySet[AuditEvent]:
    """The words anywhere in the object's name or the event's details, ignoring case."""
    text = text.strip()
    # SQLite keeps JSON as written by json.dumps, non-ASCII escaped ("Caf\\u00e9"); PostgreSQL's jsonb
    # prints it as it is ("Café"). Looking for both forms finds the words on either database.
    escaped = json.dumps(text)[1:-1]
    details = Q(details__icontains=text) | Q(details__icontains=escaped)
    return events.annotate(details=Cast("data", TextField())).filter(Q(target_repr__icontains=text) | details)


def event_row(event: AuditEvent) -> dict[str, Any]:
    """One event for the API and the JSON Lines export."""
    described = audit.describe(event)
    return {
        "id": event.pk,
        "at": event.created_at.isoformat(),
        "actor": event.actor.username if event.actor_id and event.actor else None,
        "actor_name": audit.actor_name(event),
        "action": event.verb,
        "action_label": described.action_label,
        "object_type": event.target_type.model if event.target_type_id and event.target_type else None,
        "object_id": event.target_id or None,
        "object": event.target_repr,
        "text": described.text,
        "fields": [{"label": label, "value": value} for label, value in described.fields],
    }


def csv_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The events as CSV, a line at a time (every cell quoted and safe to open in a spreadsheet)."""
    yield _csv_line(CSV_COLUMNS)
    for event in _each(events):
        described = audit.describe(event)
        yield _csv_line([
            timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M:%S"), audit.actor_name(event),
            described.action_label, event.target_type.name if event.target_type_id and event.target_type else "",
            event.target_repr, described.text, "; ".join(f"{label}: {value}" for label, value in described.fields),
        ])


def jsonl_lines(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The events as JSON Lines, one object a line, as the API shows them."""
    for event in _each(events):
        yield json.dumps(event_row(event), ensure_ascii=False) + "\n"


def _each(events: QuerySet[AuditEvent]) -> Iterable[AuditEvent]:
    # A chunked cursor: an export of a million events never holds them all in memory.
    return events.iterator(chunk_size=1000)


def _csv_line(cells: list[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerow([safe_cell(cell) for cell in cells])
    return out.getvalue()


def _type(model: type) -> ContentType:
    return ContentType.objects.get_for_model(model)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
