"""What automation rules can do at the distribution stage (registered in DistributionConfig.ready).

Workflows holds the rule engine but may not import this app, so distribution registers its own actions:
make copies in chosen presets, make watermarked copies, add to a lightbox, send a webhook. Each asks the
authority as the rule's owner first and is a no-op when its effect is already there.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from accounts import permissions as authority
from assets.formats import can_render
from assets.models import AssetVersion
from distribution import lightbox_services
from distribution.models import Lightbox, LightboxItem, Preset, Watermark, Webhook, WebhookDelivery
from distribution.webhooks import services as webhook_services
from workflows.automation.registry import Context, Param, register_action


def _presets(params: Mapping[str, Any]) -> list[str]:
    names = params.get("presets")
    if not isinstance(names, list) or not names:
        raise ValidationError("Choose at least one preset.")
    known = set(Preset.objects.filter(name__in=[str(n) for n in names]).values_list("name", flat=True))
    unknown = [str(n) for n in names if str(n) not in known]
    if unknown:
        raise ValidationError([f"There is no preset “{name}”." for name in unknown])
    return [str(n) for n in names]


def _clean_presets(params: Mapping[str, Any]) -> dict[str, Any]:
    return {"presets": _presets(params)}


def _clean_watermark(params: Mapping[str, Any]) -> dict[str, Any]:
    presets = _presets(params)
    name = str(params.get("watermark") or "").strip()
    if not Watermark.objects.filter(name=name).exists():
        raise ValidationError("Choose the watermark to apply." if not name else f"There is no watermark “{name}”.")
    return {"presets": presets, "watermark": name, "recipient": str(params.get("recipient") or "").strip()[:100]}


def _version(ctx: Context) -> AssetVersion:
    """The revision people are given: the approved one, else the current one."""
    version = ctx.asset.approved_version or ctx.asset.current_version
    if version is None:
        raise ValidationError("The asset has no revision to make copies of.")
    return AssetVersion.objects.select_related("asset").get(pk=version.pk)


def _usable(ctx: Context, names: list[str]) -> list[Preset]:
    # Imported here, not at the top: it loads the imaging code, which a web process must not pay for at start.
    from distribution import derivatives

    allowed = {p.name: p for p in derivatives.presets_for(ctx.actor, ctx.asset).filter(name__in=names)}
    refused = [name for name in names if name not in allowed]
    if refused:
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not use the preset "
                               f"“{refused[0]}” on “{ctx.asset.title}”.")
    return [allowed[name] for name in names]


def _labels(presets: list[Preset]) -> str:
    labels = [f"“{p.label}”" for p in presets]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _copies(ctx: Context, params: Mapping[str, Any]) -> tuple[AssetVersion, list[Preset]]:
    if not authority.can(ctx.actor, "view", ctx.asset):
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not see “{ctx.asset.title}”.")
    version = _version(ctx)
    presets = _usable(ctx, params["presets"])
    if not (can_render(version.mime_type) and version.has_renditions) and not all(p.is_original for p in presets):
        raise ValidationError(f"No picture can be made from this kind of file ({version.mime_type}).")
    return version, presets


def _make(ctx: Context, params: Mapping[str, Any], mark: Watermark | None) -> None:
    # Imported here, not at the top: it loads the imaging code, which a web process must not pay for at start.
    from distribution import derivatives

    version, presets = _copies(ctx, params)
    for preset in presets:
        # Finds the copy when it exists (nothing is made twice), makes a small one now, queues a large one.
        derivatives.derivative_for(version, preset, watermark=mark, recipient=params.get("recipient", ""))


def _derivatives_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    version, presets = _copies(ctx, params)
    return f"Make {_labels(presets)} cop{'y' if len(presets) == 1 else 'ies'} of v{version.number}."


def _watermark_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    mark = Watermark.objects.get(name=params["watermark"])
    version, presets = _copies(ctx, params)
    whom = f" for {params['recipient']}" if params.get("recipient") else ""
    return (f"Make {_labels(presets)} cop{'y' if len(presets) == 1 else 'ies'} of v{version.number} "
            f"watermarked with “{mark.name}”{whom}.")


def _clean_lightbox(params: Mapping[str, Any]) -> dict[str, Any]:
    ref = params.get("lightbox")
    if ref in (None, "") or not str(ref).isdigit() or not Lightbox.objects.filter(pk=int(ref)).exists():
        raise ValidationError("Choose the lightbox to add the asset to.")
    return {"lightbox": int(ref)}


def _lightbox_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    lightbox = Lightbox.objects.get(pk=params["lightbox"])
    if LightboxItem.objects.filter(lightbox=lightbox, asset=ctx.asset).exists():
        return f"It is already in the lightbox “{lightbox.name}”: nothing to add."
    if not authority.can(ctx.actor, "edit_items", lightbox):
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not change the lightbox "
                               f"“{lightbox.name}”.")
    # A lightbox holds assets, not access: its readers still see only what they may see themselves.
    return f"Add it to the lightbox “{lightbox.name}”."


def _lightbox_run(ctx: Context, params: Mapping[str, Any]) -> None:
    lightbox = Lightbox.objects.get(pk=params["lightbox"])
    lightbox_services.lightbox_add_assets(lightbox=lightbox, actor=ctx.actor, assets=[ctx.asset.uid])


def _clean_webhook(params: Mapping[str, Any]) -> dict[str, Any]:
    ref = params.get("webhook")
    if ref in (None, "") or not str(ref).isdigit() or not Webhook.objects.filter(pk=int(ref)).exists():
        raise ValidationError("Choose the webhook to send (a subscription's id, under Settings → Webhooks).")
    return {"webhook": int(ref)}


def _webhook_describe(ctx: Context, params: Mapping[str, Any]) -> str:
    webhook = Webhook.objects.get(pk=params["webhook"])
    if not authority.can(ctx.actor, "view", webhook):
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not use webhooks.")
    if ctx.run_id is not None and WebhookDelivery.objects.filter(
            webhook=webhook, event=webhook_services.RULE_EVENT, payload__data__run=ctx.run_id).exists():
        return f"The webhook to {webhook.url} was sent already: nothing to send."
    return f"Send the webhook to {webhook.url}."


def _webhook_run(ctx: Context, params: Mapping[str, Any]) -> None:
    webhook_services.webhook_send_for_rule(webhook=Webhook.objects.get(pk=params["webhook"]), asset=ctx.asset,
                                           rule_name=ctx.rule.name, run_id=ctx.run_id or 0, actor=ctx.actor)


def _value_of(model: Any, field: str, pk: Any) -> str:
    """A stored parameter's object by name, for the rule's page (it may have been deleted since)."""
    value = model.objects.filter(pk=int(pk)).values_list(field, flat=True).first() if str(pk).isdigit() else None
    return str(value) if value is not None else "(deleted)"


# --- what the rule form's pickers offer (as the API takes it: names for presets and watermarks, ids else) ---

def _preset_choices(user: Any) -> list[tuple[str, str]]:
    presets = Preset.objects.order_by("label").values_list("name", "label")
    return [(name, f"{label} ({name})") for name, label in presets]


def _watermark_choices(user: Any) -> list[tuple[str, str]]:
    return [(name, name) for name in Watermark.objects.order_by("name").values_list("name", flat=True)]


def _lightbox_choices(user: Any) -> list[tuple[str, str]]:
    boxes = authority.visible(user, Lightbox.objects.select_related("owner")).order_by("name")
    return [(str(box.pk), box.name if box.owner_id == user.pk else f"{box.name} ({box.owner.display_name})")
            for box in boxes if authority.can(user, "edit_items", box)]


def _webhook_choices(user: Any) -> list[tuple[str, str]]:
    hooks = authority.visible(user, Webhook.objects.all()).order_by("url")
    return [(str(pk), url) for pk, url in hooks.values_list("pk", "url")]


PRESETS = Param("presets", "Presets", "choices", choices=_preset_choices)


def register() -> None:
    register_action("make_derivatives", "Make copies in presets", clean_params=_clean_presets,
                    describe=_derivatives_describe, run=lambda ctx, params: _make(ctx, params, None),
                    params=[PRESETS])
    register_action("watermark", "Make watermarked copies", clean_params=_clean_watermark,
                    describe=_watermark_describe,
                    run=lambda ctx, params: _make(ctx, params, Watermark.objects.get(name=params["watermark"])),
                    params=[PRESETS, Param("watermark", "Watermark", "choice", choices=_watermark_choices),
                            Param("recipient", "For", required=False,
                                  help="Who the copies are for: fills {recipient} in a text watermark.")])
    register_action("add_to_lightbox", "Add to a lightbox", clean_params=_clean_lightbox,
                    describe=_lightbox_describe, run=_lightbox_run,
                    params=[Param("lightbox", "Lightbox", "choice", choices=_lightbox_choices,
                                  help="Lightboxes you may add to.")],
                    summarize=lambda params: f"“{_value_of(Lightbox, 'name', params.get('lightbox'))}”")
    register_action("send_webhook", "Send a webhook", clean_params=_clean_webhook, describe=_webhook_describe,
                    run=_webhook_run,
                    params=[Param("webhook", "Webhook", "choice", choices=_webhook_choices,
                                  help="A subscription under Settings → Webhooks.")],
                    summarize=lambda params: f"to {_value_of(Webhook, 'url', params.get('webhook'))}")
