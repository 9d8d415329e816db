"""Reading rules and their runs, as the reader may see them."""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from accounts import permissions as authority
from workflows.automation.models import AutomationRule, AutomationRun, ScheduledPass


def rules_visible_to(user: Any) -> QuerySet[AutomationRule]:
    return authority.visible(user, AutomationRule.objects.select_related("owner").prefetch_related("scope"))


def runs_of(rule: AutomationRule, limit: int = 200) -> QuerySet[AutomationRun]:
    """The rule's latest real runs (dry runs are answered, not logged)."""
    return rule.runs.filter(dry_run=False).select_related("asset")[:limit]


def passes_of(rule: AutomationRule, limit: int = 20) -> QuerySet[ScheduledPass]:
    """A scheduled rule's latest turns, newest first."""
    return rule.passes.all()[:limit]
