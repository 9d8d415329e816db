"""What rules can listen to (triggers) and do (actions): a registry each app fills for itself.

As with the permission policies, workflows holds the machinery and every app registers what it knows
from its own module in `AppConfig.ready()`: workflows its review triggers and the actions on assets and
reviews, distribution its derivatives, watermarks, lightboxes and webhooks, archive its rights triggers
and the archive action. So workflows never imports the apps above it.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError

if TYPE_CHECKING:
    from accounts.models import AuditEvent, User
    from assets.models import Asset
    from workflows.automation.models import AutomationRule


@dataclass
class Context:
    """What an action works with: the asset, the rule, who acts (the rule's owner) and the run."""

    asset: Asset
    rule: AutomationRule
    actor: User
    run_id: int | None = None


@dataclass(frozen=True)
class Param:
    """One parameter of an action, described for the rule form's builder and the API documentation.

    `kind` says how a person gives it: "text", "textarea", "number", "choice" (one of `choices`),
    "choices" (several of them) or "list" (several, typed and separated by commas). `choices` is asked
    with the person writing the rule, so a picker lists only what they may see. The form sends what the
    API would: a choice's value as text, several as a list, and the action's `clean_params` reads both.
    """

    name: str
    label: str
    kind: str = "text"
    help: str = ""
    required: bool = True
    choices: Callable[[User], Sequence[tuple[str, str]]] | None = None


@dataclass(frozen=True)
class Trigger:
    key: str
    label: str
    # Audit verbs (accounts.audit.record) that fire it; the asset is the event's target.
    verbs: tuple[str, ...] = ()
    # For verbs that need a closer look (a term added among other edits; a reminder N days before expiry).
    applies: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None  # (event data, trigger params)
    # Checks and cleans the trigger's parameters (e.g. {"days": 30}); raises ValidationError.
    clean_params: Callable[[Mapping[str, Any]], dict[str, Any]] = field(default=lambda params: {})
    describe_params: Callable[[Mapping[str, Any]], str] = field(default=lambda params: "")

    def fires_on(self, event: AuditEvent, params: Mapping[str, Any]) -> bool:
        data = event.data if isinstance(event.data, dict) else {}
        return event.verb in self.verbs and (self.applies is None or self.applies(data, params))


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    # Checks and cleans the action's parameters; raises ValidationError with sentences.
    clean_params: Callable[[Mapping[str, Any]], dict[str, Any]]
    # What the action will do to this asset now, as a sentence (also "already done: nothing to do").
    # Raises PermissionDenied / ValidationError with the reason when the owner may not do it.
    describe: Callable[[Context, Mapping[str, Any]], str]
    # Does it, through the services, as ctx.actor. Does nothing when its effect is already there.
    run: Callable[[Context, Mapping[str, Any]], None]
    # Triggers this action can set off on the same asset (for loop prevention).
    fires: tuple[str, ...] = ()
    # What it needs to be given, for the forms and the API documentation: {param: help}.
    params_help: Mapping[str, str] = field(default_factory=dict)
    # The parameters as people read them on the rule's page ("into “Ready for publishing”"); names, not ids.
    summarize: Callable[[Mapping[str, Any]], str] | None = None
    # Each parameter as the form's builder shows it, in order.
    params: tuple[Param, ...] = ()


_TRIGGERS: dict[str, Trigger] = {}
_ACTIONS: dict[str, Action] = {}


def register_trigger(key: str, label: str, *, verbs: tuple[str, ...] = (),
                     applies: Callable[[Mapping[str, Any], Mapping[str, Any]], bool] | None = None,
                     clean_params: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
                     describe_params: Callable[[Mapping[str, Any]], str] | None = None) -> Trigger:
    """Say that events with `verbs` fire the trigger `key` ("version_approved")."""
    trigger = Trigger(key, label, verbs, applies, clean_params or (lambda params: {}),
                      describe_params or (lambda params: ""))
    _TRIGGERS[key] = trigger
    return trigger


def register_action(key: str, label: str, *, clean_params: Callable[[Mapping[str, Any]], dict[str, Any]],
                    describe: Callable[[Context, Mapping[str, Any]], str],
                    run: Callable[[Context, Mapping[str, Any]], None], fires: tuple[str, ...] = (),
                    params_help: Mapping[str, str] | None = None,
                    summarize: Callable[[Mapping[str, Any]], str] | None = None,
                    params: Sequence[Param] = ()) -> Action:
    """Say what the action `key` ("move") needs, says and does; see `Action`."""
    helps = params_help or {p.name: p.help or p.label for p in params}
    action = Action(key, label, clean_params, describe, run, fires, helps, summarize, tuple(params))
    _ACTIONS[key] = action
    return action


def triggers() -> dict[str, Trigger]:
    return dict(_TRIGGERS)


def actions() -> dict[str, Action]:
    return dict(_ACTIONS)


def trigger(key: str) -> Trigger:
    try:
        return _TRIGGERS[key]
    except KeyError:
        known = ", ".join(sorted(_TRIGGERS))
        raise ValidationError({"trigger": [f"There is no trigger “{key}”. Choose one of: {known}."]}) from None


def action(key: str) -> Action:
    try:
        return _ACTIONS[key]
    except KeyError:
        known = ", ".join(sorted(_ACTIONS))
        raise ValidationError(f"There is no action “{key}”. Choose one of: {known}.") from None
