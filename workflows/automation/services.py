"""Writing automation rules: create, change, enable or disable, delete. Each checks and audits."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets.models import Collection
from workflows.automation import conditions as rule_conditions
from workflows.automation import registry
from workflows.automation.models import AutomationRule
from workflows.automation.permissions import may_scope

FIELDS = ("name", "enabled", "trigger", "trigger_params", "conditions", "actions")


def clean_actions(steps: Any) -> list[dict[str, Any]]:
    """The ordered actions as stored; ValidationError naming each step's problem ("Step 2 (Move …): …")."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError("Add at least one action.")
    out, errors = [], []
    for number, step in enumerate(steps, start=1):
        if not isinstance(step, dict) or not step.get("type"):
            errors.append(f"Step {number}: choose an action.")
            continue
        try:
            action = registry.action(str(step["type"]))
            out.append({"type": action.key, "params": action.clean_params(step.get("params") or {})})
        except ValidationError as exc:
            label = registry.actions()[step["type"]].label if step["type"] in registry.actions() else "unknown"
            errors += [f"Step {number} ({label}): {message}" for message in exc.messages]
    if errors:
        raise ValidationError(errors)
    return out


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned = dict(values)
    if "name" in values:
        cleaned["name"] = str(values["name"] or "").strip()[:200]
        if not cleaned["name"]:
            errors["name"] = ["Give the rule a name."]
    for key, check in (("conditions", rule_conditions.clean), ("actions", clean_actions)):
        if key in values:
            try:
                cleaned[key] = check(values[key])
            except ValidationError as exc:
                errors[key] = exc.messages
    if "trigger" in values or "trigger_params" in values:
        try:
            trigger = registry.trigger(str(values.get("trigger") or ""))
            cleaned["trigger"] = trigger.key
            cleaned["trigger_params"] = trigger.clean_params(values.get("trigger_params") or {})
        except ValidationError as exc:
            errors.setdefault("trigger", []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_scope(actor: User, scope: list[Collection]) -> None:
    if not may_scope(actor, scope):
        raise ValidationError({"scope": ["Choose folders you manage; your rule acts only inside them."]})


@transaction.atomic
def rule_create(*, actor: User, name: str, trigger: str, actions: list[Any], trigger_params: dict | None = None,
                conditions: dict | None = None, enabled: bool = False,
                scope: Iterable[Collection] = ()) -> AutomationRule:
    """A new rule owned by `actor`, who must be an admin or manage every folder in `scope`."""
    if not authority.can(actor, "create", AutomationRule):
        raise PermissionDenied("Only admins and folder managers write automation rules.")
    scope = list(scope)
    _check_scope(actor, scope)
    values = _clean({"name": name, "trigger": trigger, "trigger_params": trigger_params or {},
                     "conditions": conditions or {}, "actions": actions})
    rule = AutomationRule.objects.create(owner=actor, enabled=enabled, schedule_after=timezone.now(), **values)
    rule.scope.set(scope)
    audit.record("workflows.automation.rule_created", actor=actor, target=rule, trigger=rule.trigger,
                 enabled=rule.enabled)
    return rule


@transaction.atomic
def rule_update(*, rule: AutomationRule, actor: User, scope: Iterable[Collection] | None = None,
                **changes: Any) -> AutomationRule:
    """Change a rule's fields (any of FIELDS) and scope; the trigger and its parameters are checked together."""
    authority.require(actor, "manage", rule)
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError({key: ["This field cannot be changed."] for key in unknown})
    locked = AutomationRule.objects.select_for_update().get(pk=rule.pk)
    if "trigger_params" in changes and "trigger" not in changes:
        changes["trigger"] = locked.trigger
    values = _clean(changes)
    changed = sorted(key for key, value in values.items() if getattr(locked, key) != value)
    for key in changed:
        setattr(locked, key, values[key])
    if {"trigger", "trigger_params"} & set(changed) or ("enabled" in changed and locked.enabled):
        # A schedule switched on or changed starts from now: the slots it was off for are not made up.
        locked.schedule_after = timezone.now()
    if changed:
        locked.save(update_fields=[*changed, "schedule_after", "updated_at"])
    if scope is not None:
        scope = list(scope)
        _check_scope(actor, scope)
        if {f.pk for f in scope} != set(locked.scope.values_list("pk", flat=True)):
            locked.scope.set(scope)
            changed.append("scope")
    if changed:
        audit.record("workflows.automation.rule_updated", actor=actor, target=locked, fields=changed,
                     enabled=locked.enabled)
    return locked


@transaction.atomic
def rule_delete(*, rule: AutomationRule, actor: User) -> None:
    """Delete a rule and its run log; the assets' histories keep what it did."""
    authority.require(actor, "manage", rule)
    audit.record("workflows.automation.rule_deleted", actor=actor, target=rule)
    rule.delete()
