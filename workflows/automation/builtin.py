"""The triggers workflows fires and the actions it (and the apps below it) can do, registered in ready().

Every action asks the permission authority as the rule's owner in `describe` (which the run and the dry
run both call first), then does its work through the owning app's service as that owner, so a rule can
do no more than its owner could by hand. Each is a no-op when its effect is already there.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import permissions as authority
from accounts.models import User
from assets import services as asset_services
from assets import tagging
from assets.models import AssetTerm, Collection
from workflows import states
from workflows.automation import copying, pickers, schedule
from workflows.automation.models import AutomationRun
from workflows.automation.registry import Context, Param, register_action, register_trigger
from workflows.models import ApprovalPolicy, Notification, ReviewableVersion
from workflows.services import notifications, reviews

NOTIFIED = "workflows.automation.notified"


def _deny(ctx: Context, what: str) -> PermissionDenied:
    return PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not {what}.")


def _may_edit(ctx: Context) -> None:
    if not authority.can(ctx.actor, "edit", ctx.asset):
        raise _deny(ctx, f"edit “{ctx.asset.title}”")


# --- triggers ------------------------------------------------------------------------------------

def _term_added(data: Mapping[str, Any], params: Mapping[str, Any]) -> bool:
    changes = data.get("changes") or {}
    if changes.get("terms_added"):
        return True
    terms = changes.get("terms")
    return isinstance(terms, list) and len(terms) == 2 and bool(set(terms[1] or []) - set(terms[0] or []))


def register_triggers() -> None:
    register_trigger("asset_ingested", "An asset is added", verbs=("assets.asset.created",))
    register_trigger("version_submitted", "A revision is submitted for review",
                     verbs=("workflows.version.submitted", "workflows.version.resubmitted"))
    register_trigger("version_approved", "A revision gets its final approval", verbs=("workflows.version.approved",))
    register_trigger("changes_requested", "Changes are requested", verbs=("workflows.version.changes_requested",))
    register_trigger("term_added", "A term is added to an asset",
                     verbs=("assets.asset.updated", "assets.asset.bulk_updated"), applies=_term_added)
    # No event sets it off: the every-minute tick (workflows.automation.schedule) runs it when it is due.
    register_trigger(schedule.TRIGGER, "On a schedule", clean_params=schedule.clean_params,
                     describe_params=schedule.describe)


# --- parameters ----------------------------------------------------------------------------------

def _collection(params: Mapping[str, Any]) -> dict[str, Any]:
    ref = params.get("collection")
    if ref in (None, "") or not str(ref).isdigit() or not Collection.objects.filter(pk=int(ref)).exists():
        raise ValidationError("Choose the folder to move the asset into.")
    return {"collection": int(ref)}


def _terms(params: Mapping[str, Any]) -> dict[str, Any]:
    refs = params.get("terms")
    if not isinstance(refs, list) or not refs:
        raise ValidationError("Choose at least one term.")
    try:
        return {"terms": [term.uri for term in tagging.resolve_terms(refs)]}
    except ValidationError as exc:
        raise ValidationError(exc.messages) from None


def _field_value(params: Mapping[str, Any]) -> dict[str, Any]:
    name = str(params.get("field") or "").strip()
    if not name:
        raise ValidationError("Name the metadata field to set.")
    value = params.get("value", "")
    if not isinstance(value, str | int | float | bool | list):
        raise ValidationError("Give the field's value as text, a number or a list.")
    return {"field": name, "value": value}


def _recipients(params: Mapping[str, Any]) -> dict[str, Any]:
    users = [str(u).strip() for u in params.get("users") or [] if str(u).strip()]
    groups = [str(g).strip() for g in params.get("groups") or [] if str(g).strip()]
    errors = [f"There is no user “{u}”." for u in users if not User.objects.filter(username=u).exists()]
    errors += [f"There is no group “{g}”." for g in groups if not Group.objects.filter(name=g).exists()]
    if not users and not groups:
        errors.append("Choose at least one person or group to tell.")
    message = str(params.get("message") or "").strip()
    if not message:
        errors.append("Write the message to send.")
    try:
        message.format_map(_Fill({}))
    except (ValueError, IndexError):
        errors.append("The message has a brace that is not a placeholder; use {title}, {folder}, {rule} or {url}.")
    if errors:
        raise ValidationError(errors)
    return {"users": users, "groups": groups, "message": message[:250]}


def _policy(params: Mapping[str, Any]) -> dict[str, Any]:
    ref = params.get("policy")
    if ref in (None, ""):
        return {"policy": None}
    if not str(ref).isdigit() or not ApprovalPolicy.objects.filter(pk=int(ref)).exists():
        raise ValidationError(f"There is no approval policy {ref}.")
    return {"policy": int(ref)}


def _name(model: Any, pk: Any) -> str:
    found = model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
    return str(getattr(found, "name", found)) if found is not None else "(deleted)"


# --- move ---------------------------------------------------------------------------------------

def _move_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    target = Collection.objects.get(pk=params["collection"])
    if ctx.asset.collection_id == target.pk:
        return f"It is already in “{target.name}”: nothing to move."
    _may_edit(ctx)
    if not authority.can(ctx.actor, "contribute", target):
        raise _deny(ctx, f"add assets to “{target.name}”")
    return f"Move it from “{ctx.asset.collection.name}” into “{target.name}”."


def _move_run(ctx: Context, params: Mapping[str, Any]) -> None:
    target = Collection.objects.get(pk=params["collection"])
    if ctx.asset.collection_id != target.pk:
        asset_services.asset_update(asset=ctx.asset, actor=ctx.actor, changes={"collection": target})


# --- terms --------------------------------------------------------------------------------------

def _held(ctx: Context, uris: list[str]) -> set[str]:
    return set(AssetTerm.objects.filter(asset=ctx.asset, term__uri__in=uris).values_list("term__uri", flat=True))


def _names(uris: list[str] | set[str]) -> str:
    terms = {t.uri: t.label for t in tagging.resolve_terms(list(uris))}
    return ", ".join(f"“{terms[uri]}”" for uri in sorted(uris, key=lambda u: terms[u]))


def _add_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    missing = [uri for uri in params["terms"] if uri not in _held(ctx, params["terms"])]
    if not missing:
        return f"It already has {_names(params['terms'])}: nothing to add."
    _may_edit(ctx)
    return f"Add the term{'s' if len(missing) > 1 else ''} {_names(missing)}."


def _add_run(ctx: Context, params: Mapping[str, Any]) -> None:
    if set(params["terms"]) - _held(ctx, params["terms"]):
        asset_services.assets_bulk_update(assets=[ctx.asset], actor=ctx.actor, add_terms=params["terms"])


def _remove_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    present = _held(ctx, params["terms"])
    if not present:
        return f"It has none of {_names(params['terms'])}: nothing to remove."
    _may_edit(ctx)
    return f"Remove the term{'s' if len(present) > 1 else ''} {_names(present)}."


def _remove_run(ctx: Context, params: Mapping[str, Any]) -> None:
    present = _held(ctx, params["terms"])
    if present:
        asset_services.assets_bulk_update(assets=[ctx.asset], actor=ctx.actor,
                                          remove_terms=[t for t in tagging.resolve_terms(sorted(present))])


# --- metadata -----------------------------------------------------------------------------------

def _metadata_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    if (ctx.asset.metadata or {}).get(params["field"]) == params["value"]:
        return f"Its field “{params['field']}” is already “{params['value']}”: nothing to change."
    _may_edit(ctx)
    return f"Set its field “{params['field']}” to “{params['value']}”."


def _metadata_run(ctx: Context, params: Mapping[str, Any]) -> None:
    if (ctx.asset.metadata or {}).get(params["field"]) != params["value"]:
        asset_services.asset_update(asset=ctx.asset, actor=ctx.actor,
                                    changes={"metadata": {**(ctx.asset.metadata or {}),
                                                          params["field"]: params["value"]}})


# --- review -------------------------------------------------------------------------------------

def _review_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    version = ctx.asset.current_version
    if version is None:
        raise ValidationError("The asset has no revision to submit.")
    if version.review_state != states.ReviewState.DRAFT:
        return f"v{version.number} is already {version.get_review_state_display().lower()}: nothing to submit."
    if not authority.can(ctx.actor, states.Action.SUBMIT, ReviewableVersion.objects.get(pk=version.pk)):
        raise _deny(ctx, f"submit “{ctx.asset.title}” for review")
    policy = (ApprovalPolicy.objects.get(pk=params["policy"]) if params.get("policy")
              else reviews.policy_for(ctx.asset))
    return f"Submit v{version.number} for review under the policy “{policy.name}”."


def _review_run(ctx: Context, params: Mapping[str, Any]) -> None:
    version = ctx.asset.current_version
    if version is not None and version.review_state == states.ReviewState.DRAFT:
        policy = ApprovalPolicy.objects.get(pk=params["policy"]) if params.get("policy") else None
        reviews.version_submit(version_id=version.pk, actor=ctx.actor, policy=policy,
                               comment=f"Sent by the rule “{ctx.rule.name}”.")


# --- notify -------------------------------------------------------------------------------------

class _Fill(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _message(ctx: Context, params: Mapping[str, Any]) -> str:
    return params["message"].format_map(_Fill(title=ctx.asset.title, folder=ctx.asset.collection.name,
                                              rule=ctx.rule.name,
                                              url=settings.DAM_BASE_URL + ctx.asset.get_absolute_url()))


def _audience(ctx: Context, params: Mapping[str, Any]) -> tuple[list[User], list[User]]:
    """Who is named, split into those who may see the asset and those who may not (they are not told)."""
    people = {u.pk: u for u in User.objects.filter(username__in=params["users"], is_active=True)}
    people.update({u.pk: u for u in User.objects.filter(groups__name__in=params["groups"], is_active=True)})
    told = [u for u in people.values() if authority.can(u, "view", ctx.asset)]
    return told, [u for u in people.values() if u not in told]


def _already_told(ctx: Context, message: str) -> set[int]:
    """Who this run told already (a run retried after its worker died must not tell them twice)."""
    if ctx.run_id is None:
        return set()
    started = AutomationRun.objects.get(pk=ctx.run_id).created_at
    return set(Notification.objects.filter(verb=NOTIFIED, url=ctx.asset.get_absolute_url(), message=message[:300],
                                           created_at__gte=started).values_list("recipient_id", flat=True))


def _notify_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    told, unseen = _audience(ctx, params)
    names = [*params["users"], *params["groups"]]
    count = f"{len(told)} {'person' if len(told) == 1 else 'people'}"
    sentence = f"Tell {', '.join(names)} ({count}): “{_message(ctx, params)}”"
    if unseen:
        sentence += f" {len(unseen)} of them cannot see this asset and are not told."
    return sentence


def _notify_run(ctx: Context, params: Mapping[str, Any]) -> None:
    message = _message(ctx, params)
    told, _ = _audience(ctx, params)
    done = _already_told(ctx, message)
    notifications.notify([u for u in told if u.pk not in done], verb=NOTIFIED, message=message,
                         url=ctx.asset.get_absolute_url())


FOLDER = Param("collection", "Folder", "choice", choices=pickers.folders)
TERMS = Param("terms", "Terms", "terms", help="Type a label, a synonym or a translation and pick the term.")


def register_actions() -> None:
    register_action("move", "Move to a folder", clean_params=_collection, describe=_move_describe, run=_move_run,
                    params=[FOLDER],
                    summarize=lambda params: f"into “{_name(Collection, params.get('collection'))}”")
    register_action("add_terms", "Add terms", clean_params=_terms, describe=_add_describe, run=_add_run,
                    fires=("term_added",), params=[TERMS])
    register_action("remove_terms", "Remove terms", clean_params=_terms, describe=_remove_describe,
                    run=_remove_run, params=[TERMS])
    register_action("set_metadata", "Set a metadata field", clean_params=_field_value, describe=_metadata_describe,
                    run=_metadata_run, params=[
                        Param("field", "Field", "choice", choices=pickers.fields),
                        Param("value", "Value", required=False, help="Checked against the field's type.")])
    register_action("start_review", "Submit for review", clean_params=_policy, describe=_review_describe,
                    run=_review_run, fires=("version_submitted",),
                    summarize=lambda params: (f"under “{_name(ApprovalPolicy, params['policy'])}”"
                                              if params.get("policy") else "under the asset's own policy"),
                    params=[Param("policy", "Approval policy", "choice", required=False, choices=pickers.policies)])
    register_action("notify", "Notify people", clean_params=_recipients, describe=_notify_describe, run=_notify_run,
                    params=[Param("users", "People", "list", required=False,
                                  help="User names, separated by commas."),
                            Param("groups", "Groups", "choices", required=False, choices=pickers.groups),
                            Param("message", "Message", "textarea",
                                  help="{title}, {folder}, {rule} and {url} are filled in.")])
    copying.register()


def register_all() -> None:
    register_triggers()
    register_actions()
