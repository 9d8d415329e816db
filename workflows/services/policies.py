"""Approval policies: who signs a revision off, in which order, and whether one person may sign two steps."""
from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from workflows.models import ApprovalPolicy, ApprovalStep, Review

POLICY_FIELDS = ("name", "collection", "asset_type", "is_default", "same_person_may_sign_several_steps")


def _described(policy: ApprovalPolicy, steps: list[dict[str, Any]]) -> dict[str, Any]:
    """What the audit trail keeps of a policy: words, not ids."""
    return {
        "name": policy.name, "collection": policy.collection.name if policy.collection else "",
        "asset_type": policy.get_asset_type_display() if policy.asset_type else "",
        "is_default": policy.is_default, "same_person_may_sign_several_steps":
            policy.same_person_may_sign_several_steps,
        "steps": [f"{n}. {s['name']} ({s['group'].name}, {s['approvals_required']} "
                  f"approval{'s' if s['approvals_required'] != 1 else ''})" for n, s in enumerate(steps, start=1)],
    }


def _check(policy: ApprovalPolicy, steps: list[dict[str, Any]], *, was_default: bool) -> None:
    errors: dict[str, list[str]] = {}
    others = ApprovalPolicy.objects.exclude(pk=policy.pk)
    if policy.is_default and (policy.collection_id or policy.asset_type):
        errors.setdefault("is_default", []).append(
            "The default policy covers everything: leave its collection and asset type empty.")
    if was_default and not policy.is_default:
        errors.setdefault("is_default", []).append(
            "Some policy must be the default: make another policy the default instead.")
    if not policy.is_default and not policy.collection_id and not policy.asset_type:
        errors.setdefault("collection", []).append(
            "Choose a collection or an asset type (or make this the default policy): otherwise no revision "
            "follows it.")
    if policy.is_default and not was_default:
        # The default it replaces keeps its steps but then covers nothing; two such policies cannot coexist.
        previous = others.filter(is_default=True, collection__isnull=True, asset_type="").first()
        idle = others.filter(is_default=False, collection__isnull=True, asset_type="").first()
        if previous is not None and idle is not None:
            errors.setdefault("is_default", []).append(
                f"“{previous.name}” would cover nothing once it is no longer the default, as “{idle.name}” "
                f"already does: give “{idle.name}” a collection or an asset type first.")
    if policy.collection_id:
        taken = others.filter(collection_id=policy.collection_id).first()
        if taken is not None:
            errors.setdefault("collection", []).append(f"This collection already follows “{taken.name}”.")
    elif policy.asset_type and not policy.is_default:
        taken = others.filter(collection__isnull=True, is_default=False, asset_type=policy.asset_type).first()
        if taken is not None:
            errors.setdefault("asset_type", []).append(f"This asset type already follows “{taken.name}”.")
    if not steps:
        errors.setdefault("steps", []).append("A policy needs at least one step.")
    if policy.pk:
        # An open review stands at a step position; taking that step away would strand it.
        stranded = Review.objects.open().filter(policy=policy, step__gt=len(steps)).count()
        if stranded:
            many = stranded != 1
            errors.setdefault("steps", []).append(
                f"{stranded} open review{'s are' if many else ' is'} at a step after step {len(steps)}: "
                f"let {'them' if many else 'it'} finish before removing that step.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def approval_policy_save(*, policy: ApprovalPolicy | None, actor: User | None, steps: list[dict[str, Any]],
                         **values: Any) -> ApprovalPolicy:
    """Create or change a policy and its ordered steps (each `{"name", "group", "approvals_required"}`).

    Making a policy the default takes that role from the one that had it, in the same transaction.
    """
    if actor is not None:
        authority.require(actor, "change" if policy else "create", policy or ApprovalPolicy)
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: "This cannot be changed."})
    created = policy is None
    if policy is None:
        policy = ApprovalPolicy()
        before: dict[str, Any] = {}
        was_default = False
    else:
        policy = ApprovalPolicy.objects.select_for_update().get(pk=policy.pk)
        old_steps = [{"name": s.name, "group": s.group, "approvals_required": s.approvals_required}
                     for s in policy.steps.select_related("group").order_by("position")]
        before = _described(policy, old_steps)
        was_default = policy.is_default
    for field, value in values.items():
        setattr(policy, field, value)
    _check(policy, steps, was_default=was_default)
    replaced = ""
    if policy.is_default and not was_default:
        previous = ApprovalPolicy.objects.select_for_update().filter(is_default=True).exclude(pk=policy.pk).first()
        if previous is not None:
            replaced = previous.name
            previous.is_default = False
            previous.save(update_fields=["is_default"])
    if created:
        policy.save()
    else:
        policy.save(update_fields=list(values))
    # Steps are rewritten in order: positions are 1..n, as reviews count them.
    policy.steps.all().delete()
    ApprovalStep.objects.bulk_create([
        ApprovalStep(policy=policy, position=n, name=s["name"], group=s["group"],
                     approvals_required=s["approvals_required"]) for n, s in enumerate(steps, start=1)])
    after = _described(policy, steps)
    changes = {key: [before.get(key), value] for key, value in after.items() if before.get(key) != value}
    audit.record("workflows.policy.created" if created else "workflows.policy.changed", actor=actor, target=policy,
                 **after, changes={} if created else changes, replaced_default=replaced)
    return policy
