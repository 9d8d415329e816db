"""How automation reads in the audit trail: rules written, and each run in its asset's history."""
from __future__ import annotations

from typing import Any

from accounts.audit import register
from workflows.automation.models import AutomationRun

STATUS = dict(AutomationRun.Status.choices)


def _ran(values: Any) -> str:
    # Rules act as their owner, who is the event's actor.
    data = values["data"]
    text = f"{values['actor']} automated “{values['object']}”"
    if data.get("rule"):
        text += f" with the rule “{data['rule']}”"
    done = [str(s) for s in data.get("actions") or [] if s]
    if data.get("error"):
        done.append(str(data["error"]))
    return text + (": " + " ".join(done) if done else ".")


def _passed(values: Any) -> str:
    data = values["data"]
    return f"{values['actor']} ran the automation rule “{values['object']}” on its schedule: " \
        f"{data.get('note') or 'nothing to do.'}"


def register_all() -> None:
    group = "Automation"
    register("workflows.automation.ran", _ran, label="Automation rule ran", group=group,
             fields=[("status", "Outcome", STATUS)])
    register("workflows.automation.rule_created", "{actor} created the automation rule “{object}”",
             label="Automation rule created", group=group, fields=[("enabled", "Enabled", "yesno")])
    register("workflows.automation.rule_updated", "{actor} changed the automation rule “{object}”",
             label="Automation rule changed", group=group,
             fields=[("fields", "Changed"), ("enabled", "Enabled", "yesno")])
    register("workflows.automation.copied",
             "{actor} made “{object}” as a copy of “{source}” (its v{version}) with the rule “{rule}”",
             label="Copied by a rule", group=group)
    register("workflows.automation.copy_made",
             "{actor} copied “{object}” into “{collection}” as “{copy}” with the rule “{rule}”",
             label="Copy made by a rule", group=group)
    register("workflows.automation.schedule_passed", _passed, label="Scheduled rule ran", group=group)
    register("workflows.automation.rule_deleted", "{actor} deleted the automation rule “{object}”",
             label="Automation rule deleted", group=group)
