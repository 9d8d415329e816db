"""Audit events as people read them, in any template: `{% load audit %}{{ event|audit_text }}`."""
from __future__ import annotations

from django import template

from accounts import audit
from accounts.models import AuditEvent

register = template.Library()


@register.filter
def audit_text(event: AuditEvent) -> str:
    """The event as one sentence."""
    return audit.describe(event).text


@register.filter
def audit_described(event: AuditEvent) -> audit.Described:
    """The sentence, the labelled fields and the action's label, for `{% with d=e|audit_described %}`."""
    return audit.describe(event)
