"""Writing the audit trail. Services call `record`; nothing else writes AuditEvent."""
from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from accounts.models import AuditEvent, User


def record(verb: str, *, actor: User | None, target: models.Model | None = None, **data: Any) -> AuditEvent:
    """Append one audit event; call it inside the service's transaction."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        verb=verb,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:255] if target is not None else "",
        data=data,
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    """The history of one object, newest first."""
    return AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(target), target_id=str(target.pk)
    ).select_related("actor")
