"""Integrations: outside tools (a CMS, a social scheduler) that pull approved assets with a key of their own."""
from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from distribution.models import Integration


def clean_origins(origins: Any) -> list[str]:
    """Origins as browsers send them (`https://cms.example.net`, `http://localhost:8080`), deduplicated."""
    if isinstance(origins, str):
        origins = origins.split()
    if not isinstance(origins, list):
        raise ValidationError({"allowed_origins": "Give a list of origins such as https://cms.example.net."})
    cleaned = []
    for origin in origins:
        origin = str(origin).strip().rstrip("/")
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.hostname or parts.path or parts.query:
            raise ValidationError({"allowed_origins": f"“{origin}” is not an origin: give scheme and host only, "
                                                      "such as https://cms.example.net."})
        cleaned.append(origin.lower())
    return list(dict.fromkeys(cleaned))


def origin_allowed(origin: str) -> Integration | None:
    """The active integration that lets this web origin use the picker, if any."""
    try:
        wanted = clean_origins([origin])[0]
    except (ValidationError, IndexError):
        return None
    for integration in Integration.objects.filter(revoked_at__isnull=True).order_by("pk"):
        if wanted in integration.allowed_origins:
            return integration
    return None


@transaction.atomic
def integration_create(*, actor: User | None, name: str, allowed_origins: Any = None) -> tuple[Integration, str]:
    """A new integration and its key (shown once; only its hash is kept)."""
    if actor is not None:
        authority.require(actor, "create", Integration)
    name = name.strip()[:100]
    if not name:
        raise ValidationError({"name": "Give the integration a name, such as the tool it is for."})
    if Integration.objects.filter(name=name).exists():
        raise ValidationError({"name": f"An integration named “{name}” exists already."})
    key = f"dami_{secrets.token_urlsafe(32)}"
    integration = Integration.objects.create(name=name, prefix=key[:8], key_hash=Integration.hash_key(key),
                                             allowed_origins=clean_origins(allowed_origins or []), created_by=actor)
    audit.record("distribution.integration.created", actor=actor, target=integration,
                 allowed_origins=integration.allowed_origins)
    return integration, key


@transaction.atomic
def integration_update(*, integration: Integration, actor: User | None, name: str | None = None,
                       allowed_origins: Any = None) -> Integration:
    if actor is not None:
        authority.require(actor, "change", integration)
    fields = []
    if name is not None:
        name = name.strip()[:100]
        if not name:
            raise ValidationError({"name": "Give the integration a name."})
        if Integration.objects.filter(name=name).exclude(pk=integration.pk).exists():
            raise ValidationError({"name": f"An integration named “{name}” exists already."})
        integration.name = name
        fields.append("name")
    if allowed_origins is not None:
        integration.allowed_origins = clean_origins(allowed_origins)
        fields.append("allowed_origins")
    if fields:
        integration.save(update_fields=fields)
        audit.record("distribution.integration.changed", actor=actor, target=integration,
                     allowed_origins=integration.allowed_origins)
    return integration


@transaction.atomic
def integration_revoke(*, integration: Integration, actor: User | None) -> Integration:
    """Its key stops working at once; revoking twice is harmless."""
    if actor is not None:
        authority.require(actor, "revoke", integration)
    if integration.revoked_at is None:
        integration.revoked_at = timezone.now()
        integration.save(update_fields=["revoked_at"])
        audit.record("distribution.integration.revoked", actor=actor, target=integration)
    return integration
