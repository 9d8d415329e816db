"""The automation screens under /settings/automation/: the rules, the form, a dry run, each rule's runs."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from assets.models import Asset
from dam.http import AuthedHttpRequest
from workflows.automation import conditions, engine, registry, schedule, selectors, services
from workflows.automation.builder import StepForm, StepsBuilder, as_typed
from workflows.automation.forms import CONDITION_FIELDS, DryRunForm, RuleForm
from workflows.automation.models import AutomationRule


def _rule(request: AuthedHttpRequest, pk: int, action: str = "manage") -> AutomationRule:
    return authority.access(request.user, selectors.rules_visible_to(request.user), action, pk=pk)


def _save(request: AuthedHttpRequest, form: RuleForm, steps: StepsBuilder,
          rule: AutomationRule | None) -> AutomationRule | None:
    """Check the form and every step (each shows its own errors), then write the rule through the services."""
    valid = form.is_valid()
    actions = steps.actions()
    if not valid or actions is None:
        return None
    values = {**form.values(keep=rule.conditions if rule else None), "actions": actions}
    try:
        if rule is None:
            return services.rule_create(actor=request.user, **values)
        return services.rule_update(rule=rule, actor=request.user, **values)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            if field == "actions":
                steps.errors += errors
                continue
            target = field if field in form.fields else None
            form.add_error(target, errors if target else [f"{field.capitalize()}: {e}" for e in errors])
    return None


def _form_page(request: AuthedHttpRequest, rule: AutomationRule | None) -> HttpResponse:
    """The new-rule and edit-rule page: save, or rebuild the steps when a row button was pressed."""
    initial = RuleForm.initial_for(rule) if rule else {}
    form = RuleForm(request.POST or None, user=request.user, initial=initial)
    steps = StepsBuilder(user=request.user, data=request.POST if request.method == "POST" else None,
                         actions=rule.actions if rule else [])
    if request.method == "POST":
        if steps.editing:
            steps.rebuild()
            form = RuleForm(user=request.user, initial=as_typed(form))  # rebuilt, not saved: no errors yet
        elif saved := _save(request, form, steps, rule):
            messages.success(request, f"The rule “{saved.name}” was saved.")
            return redirect(saved)
    elif rule is None:
        steps.rows.append(StepForm(rid="0", user=request.user))
    failed = bool(form.errors or steps.errors or any(row.row_errors for row in steps.rows))
    return render(request, "workflows/automation/form.html", {
        "title": f"Edit “{rule.name}”" if rule else "New rule", "form": form, "rule": rule, "steps": steps,
        "schedule_trigger": schedule.TRIGGER, "schedule_limit": settings.DAM_AUTOMATION_SCHEDULE_MAX_ASSETS,
        "condition_fields": CONDITION_FIELDS}, status=400 if failed else 200)


def _step_text(action: registry.Action | None, params: dict[str, Any]) -> str:
    """An action's parameters as text: its own summary, else "presets: web, web-png; watermark: Partners proof"."""
    if action is not None and action.summarize is not None:
        return action.summarize(params)
    parts = [f"{key}: {', '.join(map(str, value)) if isinstance(value, list) else value}"
             for key, value in params.items() if value not in (None, "", [])]
    return "; ".join(parts)


def _when(rule: AutomationRule) -> str:
    """The trigger as the list shows it: "On a schedule (every day at 06:00)"."""
    trigger = registry.triggers().get(rule.trigger)
    if trigger is None:
        return rule.trigger
    params = trigger.describe_params(rule.trigger_params or {})
    return f"{trigger.label} ({params})" if params else trigger.label


@login_required
def rule_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", AutomationRule)
    rows = [(rule, _when(rule)) for rule in selectors.rules_visible_to(request.user)]
    return render(request, "workflows/automation/list.html", {"title": "Automation", "rows": rows})


@login_required
def rule_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", AutomationRule)
    return _form_page(request, None)


@login_required
def rule_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    return _form_page(request, _rule(request, pk))


@login_required
def rule_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The rule as sentences, "Try on an asset" (a dry run, nothing changed) and its latest runs."""
    rule = _rule(request, pk, "view")
    form = DryRunForm(request.POST or None)
    tried: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        asset = authority.visible(request.user, Asset.objects.all()).filter(uid=form.cleaned_data["asset"]).first()
        if asset is None:
            form.add_error("asset", "There is no asset with that id that you can see.")
        else:
            tried = {"asset": asset, "outcome": engine.dry_run(rule=rule, asset=asset)}
    trigger = registry.triggers().get(rule.trigger)
    actions = registry.actions()
    steps = [{"label": actions[s["type"]].label if s["type"] in actions else s["type"],
              "params": _step_text(actions.get(s["type"]), s.get("params") or {})} for s in rule.actions]
    return render(request, "workflows/automation/detail.html", {
        "title": rule.name, "rule": rule, "trigger": trigger.label if trigger else rule.trigger,
        "trigger_params": trigger.describe_params(rule.trigger_params or {}) if trigger else "",
        "conditions": conditions.summary(rule.conditions or {}), "steps": steps, "form": form, "tried": tried,
        "runs": selectors.runs_of(rule, 100), **_schedule_context(rule)}, status=400 if form.errors else 200)


def _schedule_context(rule: AutomationRule) -> dict[str, Any]:
    """For a rule on a schedule: when it runs next, and its latest passes (with their notes)."""
    if rule.trigger != schedule.TRIGGER:
        return {}
    return {"next_slot": schedule.next_slot(rule.trigger_params, timezone.now()) if rule.enabled else None,
            "passes": selectors.passes_of(rule, 20)}


@login_required
@require_POST
def rule_toggle(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = services.rule_update(rule=_rule(request, pk), actor=request.user, enabled=not _rule(request, pk).enabled)
    messages.success(request, f"The rule “{rule.name}” is {'on' if rule.enabled else 'off'}.")
    return redirect(request.POST.get("next") == "list" and "automation:list" or rule)


@login_required
@require_POST
def rule_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    rule = _rule(request, pk)
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(request, f"The rule “{rule.name}” was deleted; the assets' histories keep what it did.")
    return redirect("automation:list")
