"""Carrying rules out: from an event to a queued job, and from the job to a logged run (or a dry run).

How an event reaches a rule: every service writes its news to the audit trail (accounts.audit.record);
`on_audit_event` (a post_save receiver on AuditEvent, as webhooks listen) looks up the triggers whose
verbs match and the enabled rules on them, and queues one job per rule with ids only, once the
transaction that wrote the event commits, so a rolled-back action sets nothing off. Triggers that are
not audit events call `fire` themselves.

One path for the run and the dry run (`_carry_out`): the same conditions and, per action, the same
`describe` (which checks the owner's permissions and says what will happen); the real run then calls the
action's `run`. So a dry run lists exactly the sentences the run will log.
"""
from __future__ import annotations

import contextvars
import logging
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_q.tasks import async_task

from accounts import audit
from accounts import permissions as authority
from accounts.models import AuditEvent
from assets.models import Asset
from dam.errors import StateConflict
from workflows.automation import conditions as rule_conditions
from workflows.automation import registry
from workflows.automation.models import AutomationRule, AutomationRun
from workflows.states import TransitionNotAllowed

logger = logging.getLogger(__name__)

Chain = list[list[int]]  # [[rule id, asset id], ...]: the rules whose actions led here, oldest first

# While a rule's actions run, the chain that led to it (itself included), so the events they cause carry it on.
_current_chain: contextvars.ContextVar[Chain | None] = contextvars.ContextVar("automation_chain", default=None)


@dataclass
class Outcome:
    """What a rule does (or would do) to one asset."""

    applies: bool
    reason: str = ""  # why it does not apply
    sentences: list[str] = field(default_factory=list)
    error: str = ""
    stopped: bool = False


# --- from an event to a job ------------------------------------------------------------------------

def on_audit_event(sender: type[AuditEvent], instance: AuditEvent, created: bool, raw: bool = False,
                   **kwargs: Any) -> None:
    """post_save receiver on AuditEvent: the rules this event sets off are queued after commit."""
    if not created or raw or not instance.target_id:
        return
    keys = [key for key, trig in registry.triggers().items() if instance.verb in trig.verbs]
    if not keys or instance.target_type_id != ContentType.objects.get_for_model(Asset).pk:
        return
    for rule in AutomationRule.objects.filter(enabled=True, trigger__in=keys).only("pk", "trigger", "trigger_params"):
        if registry.trigger(rule.trigger).fires_on(instance, rule.trigger_params or {}):
            queue_run(rule.pk, int(instance.target_id), rule.trigger, f"event:{instance.pk}")


def fire(trigger: str, *, asset_id: int, event_key: str) -> int:
    """Set off the enabled rules on `trigger` for one asset (for triggers that are not audit events).

    `event_key` names the occurrence ("schedule:2026-12-07"): a rule runs once per asset and key.
    Returns how many rules were queued.
    """
    rule_ids = list(AutomationRule.objects.filter(enabled=True, trigger=trigger).values_list("pk", flat=True))
    for rule_id in rule_ids:
        queue_run(rule_id, asset_id, trigger, event_key)
    return len(rule_ids)


def queue_run(rule_id: int, asset_id: int, trigger: str, event_key: str) -> None:
    """Queue one rule's job on one asset once the current transaction commits (with the chain that led here)."""
    chain = list(_current_chain.get() or [])
    transaction.on_commit(partial(_enqueue, rule_id, asset_id, trigger, event_key, chain))


def _enqueue(rule_id: int, asset_id: int, trigger: str, event_key: str, chain: Chain) -> None:
    # In a transaction of its own, as assets.services.renditions.queue_renditions explains (the ORM broker
    # closes the caller's connection when it enqueues outside one).
    with transaction.atomic():
        async_task("workflows.automation.tasks.automation_run_task", rule_id, asset_id, trigger, event_key, chain,
                   task_name=f"automation-{rule_id}-{asset_id}", group="automation")


# --- from a job to a run ---------------------------------------------------------------------------

def run_rule(*, rule_id: int, asset_id: int, trigger: str, event_key: str, chain: Chain | None = None
             ) -> AutomationRun | None:
    """Carry out one rule on one asset for one event, and log it. Safe to run twice: a finished run is kept.

    None when the rule is gone, disabled, or does not apply to this asset (nothing is logged then).
    """
    chain = [list(link) for link in chain or []]
    rule = AutomationRule.objects.select_related("owner").filter(pk=rule_id, enabled=True).first()
    asset = Asset.objects.select_related("collection", "current_version").filter(pk=asset_id).first()
    if rule is None or asset is None:
        return None
    run = AutomationRun.objects.filter(rule=rule, asset=asset, event_key=event_key, dry_run=False).first()
    if run is not None and run.status != AutomationRun.Status.RUNNING:
        return run  # this event was handled already
    # The conditions are asked when the event is first handled: a run retried after its worker died goes on
    # even though its own first actions (a move, say) may have made them false since.
    if run is None:
        if not _applies(rule, asset).applies:
            return None
        try:
            with transaction.atomic():
                run, _ = AutomationRun.objects.get_or_create(
                    rule=rule, asset=asset, event_key=event_key, dry_run=False,
                    defaults={"trigger": trigger, "depth": len(chain)})
        except IntegrityError:  # another worker took the same event at the same moment
            return AutomationRun.objects.filter(rule=rule, asset=asset, event_key=event_key, dry_run=False).first()
    if [rule.pk, asset.pk] in chain:
        return _finish(run, Outcome(True, stopped=True, error=(
            f"Not run: the rule “{rule.name}” already acted on this asset earlier in this chain of rules; "
            "running it again would loop.")))
    if len(chain) >= settings.DAM_AUTOMATION_MAX_CHAIN:
        return _finish(run, Outcome(True, stopped=True, error=(
            f"Stopped: {len(chain)} rules in a row set each other off before this one; "
            f"the limit is {settings.DAM_AUTOMATION_MAX_CHAIN}.")))
    token = _current_chain.set([*chain, [rule.pk, asset.pk]])
    try:
        outcome = _carry_out(rule, asset, dry_run=False, run_id=run.pk)
    finally:
        _current_chain.reset(token)
    return _finish(run, outcome)


def _finish(run: AutomationRun, outcome: Outcome) -> AutomationRun:
    status = (AutomationRun.Status.STOPPED if outcome.stopped
              else AutomationRun.Status.FAILED if outcome.error else AutomationRun.Status.DONE)
    with transaction.atomic():
        run.status = status
        run.actions_done = outcome.sentences
        run.error = outcome.error
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "actions_done", "error", "finished_at"])
        audit.record("workflows.automation.ran", actor=run.rule.owner, target=run.asset, rule=run.rule.name,
                     rule_id=run.rule_id, run_id=run.pk, status=status.value, actions=outcome.sentences,
                     error=outcome.error)
    return run


def dry_run(*, rule: AutomationRule, asset: Asset) -> Outcome:
    """What the rule would do to the asset now, as sentences; changes nothing."""
    asset = Asset.objects.select_related("collection", "current_version").get(pk=asset.pk)
    outcome = _applies(rule, asset)
    if not outcome.applies:
        return outcome
    return _carry_out(rule, asset, dry_run=True)


def _applies(rule: AutomationRule, asset: Asset) -> Outcome:
    owner = rule.owner
    if not owner.is_active:
        return Outcome(False, f"its owner {owner.display_name} can no longer sign in")
    # A rule sees only what its owner sees: it can neither read nor touch anything else.
    if not authority.visible(owner, Asset.objects.filter(pk=asset.pk)).exists():
        return Outcome(False, f"{owner.display_name}, who owns the rule, cannot see this asset")
    scope = list(rule.scope.all())
    if scope and not any((asset.collection.path or "").startswith(folder.path) for folder in scope):
        names = ", ".join(f"“{folder.name}”" for folder in scope)
        return Outcome(False, f"the rule acts only in {names}")
    reason = rule_conditions.unmet(rule.conditions or {}, asset)
    return Outcome(False, reason) if reason else Outcome(True)


def _carry_out(rule: AutomationRule, asset: Asset, *, dry_run: bool, run_id: int | None = None) -> Outcome:
    outcome = Outcome(True)
    context = registry.Context(asset=asset, rule=rule, actor=rule.owner, run_id=run_id)
    for step in rule.actions or []:
        action = registry.action(step["type"])
        params = step.get("params") or {}
        if rule.trigger in action.fires:
            outcome.sentences.append(f"Not done ({action.label.lower()}): it would set this rule off again "
                                     "on the same asset.")
            continue
        try:
            sentence = action.describe(context, params)
            if not dry_run:
                action.run(context, params)
        except (PermissionDenied, ValidationError, StateConflict, TransitionNotAllowed) as exc:
            outcome.error = f"{action.label}: {_reason(exc)}"
            return outcome
        except Exception:  # the rest of the rule must not run on top of a half-done step
            logger.exception("Automation rule %s failed on asset %s", rule.pk, asset.pk)
            outcome.error = f"{action.label}: it failed unexpectedly; the server's log has the details."
            return outcome
        outcome.sentences.append(sentence)
        context.asset = Asset.objects.select_related("collection", "current_version").get(pk=asset.pk)
    return outcome


def _reason(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "not allowed."

