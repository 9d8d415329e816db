"""The picker (`/picker/?origin=ORIGIN`): a page another web application opens in a popup or an iframe.

A person searches the approved, publishable assets with the full search, ticks some, chooses a
preset and clicks Insert; the page asks `pick` (below) for what to hand over and posts it to
`window.opener || window.parent` at ORIGIN (static/js/picker.js, docs/picker.md). Only origins
listed by an active integration receive anything: the page sends its messages to that exact
origin and may be framed by it alone (`frame-ancestors`), so another site can neither read
what is picked nor lay the page under its own to trick a click.
"""
from __future__ import annotations

import contextlib
import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import audit
from accounts import permissions as authority
from assets.formats import can_render
from assets.models import Asset, AssetVersion
from assets.permissions import approved_and_usable
from dam.http import AuthedHttpRequest
from distribution import delivery, derivatives, integrations
from distribution.connections import usages
from distribution.embedding import credit
from distribution.models import Integration, Preset
from search.views import AssetListView

MAX_PICKED = 50  # assets in one Insert
DEFAULT_PRESET = "web"
NOT_ALLOWED = ("This site ({origin}) is not allowed to use the picker. An administrator can add it under "
               "Settings → Integrations.")


class PickRefused(Exception):
    """The pick cannot be answered; `status` and the sentence say why."""

    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.field = status, field


# --- what is handed over ----------------------------------------------------------------------

def alt_text(asset: Asset) -> str:
    """The asset's alt text field if set, else its description, else its title."""
    return str((asset.metadata or {}).get("alt_text") or "").strip() or asset.description.strip() or asset.title


def output_size(version: AssetVersion, preset: Preset) -> tuple[int | None, int | None]:
    """The size of the preset's file of this version: exact once made, else worked out as
    assets.derivatives.shaped makes it (fitted or filled, cropped, never enlarged)."""
    width, height = version.width, version.height
    if preset.is_original or not width or not height:
        return width, height
    box_w, box_h = preset.max_width, preset.max_height
    if preset.fit == Preset.Fit.COVER and box_w and box_h:
        scale = min(1.0, max(box_w / width, box_h / height))
        width, height = max(1, round(width * scale)), max(1, round(height * scale))
        crop_w, crop_h = min(box_w, width), min(box_h, height)
        if crop_w / crop_h > box_w / box_h:
            crop_w = max(1, round(crop_h * box_w / box_h))
        else:
            crop_h = max(1, round(crop_w * box_h / box_w))
        return crop_w, crop_h
    scales = [s for s in (box_w and box_w / width, box_h and box_h / height) if s]
    if scales and min(scales) < 1:
        return max(1, round(width * min(scales))), max(1, round(height * min(scales)))
    return width, height


def _uids(raw: Any) -> list[uuid.UUID]:
    if not isinstance(raw, list) or not raw:
        raise PickRefused(400, "Choose at least one asset.", "uids")
    if len(raw) > MAX_PICKED:
        raise PickRefused(400, f"Choose at most {MAX_PICKED} assets at once.", "uids")
    try:
        return list(dict.fromkeys(uuid.UUID(str(uid)) for uid in raw))
    except ValueError:
        raise PickRefused(400, "Give assets by their uid.", "uids") from None


def pick(*, actor: Any, integration: Integration, origin: str, uids: Any, preset_name: str,
         absolute: Any) -> list[dict[str, Any]]:
    """What the picker hands over for these assets in this preset: checked for this person, audited.

    Nothing is counted as a download here: the delivery URL counts when it is fetched.
    `absolute` turns a path into a full URL (request.build_absolute_uri).
    """
    wanted = _uids(uids)
    preset = derivatives.presets_for(actor).filter(restricted=False, name=str(preset_name or "")).first()
    if preset is None:
        raise PickRefused(400, f"There is no preset “{preset_name}” you may use here.", "preset")
    found = {asset.uid: asset for asset in authority.visible(actor, Asset.objects.filter(uid__in=wanted))
             .filter(approved_and_usable()).select_related("collection", "approved_version")}
    picked = []
    for uid in wanted:
        asset = found.get(uid)
        # Seeing an asset is the right to download it (assets.permissions.AssetPolicy): visible() asked it.
        if asset is None or asset.approved_version is None:
            raise PickRefused(404, "One of the chosen assets is no longer published or no longer yours to "
                                   "use; search again.", "uids")
        version = asset.approved_version
        if not preset.is_original and not can_render(version.mime_type):
            raise PickRefused(400, f"“{asset.title}” is a {version.mime_type} file: no {preset.label} picture "
                                   f"can be made from it. Choose the original for it.", "preset")
        width, height = output_size(version, preset)
        picked.append({
            "uid": str(asset.uid), "title": asset.title, "alt": alt_text(asset), "credit": credit(asset),
            "licence": asset.licence, "width": width, "height": height,
            # Where and in which channels it may be used: the DAM cannot check where the page will be read.
            "regions": list(asset.regions or []), "channels": list(asset.channels or []),
            "url": absolute(delivery.url_for(asset, preset).path), "preset": preset.name,
        })
    with transaction.atomic():
        audit.record("distribution.picker.picked", actor=actor, target=integration, uids=[p["uid"] for p in picked],
                     preset=preset.name, integration=integration.name, origin=origin)
        usages.record_picks(actor=actor, integration=integration, origin=origin,
                            versions=[(found[uid].approved_version, preset.name) for uid in wanted])  # type: ignore[misc]
    for uid in wanted:  # larger files are made now by the job worker, so the first fetch finds them ready
        with contextlib.suppress(derivatives.PresetUnavailable):
            derivatives.derivative_for(found[uid].approved_version, preset, make_now=False)  # type: ignore[arg-type]
    return picked


# --- the page ---------------------------------------------------------------------------------

def _framing(response: HttpResponseBase, integration: Integration | None, origin: str) -> HttpResponseBase:
    """Only an allowed origin may frame the picker or keep hold of it as a popup; every other page keeps
    X-Frame-Options DENY and Cross-Origin-Opener-Policy same-origin."""
    if integration is not None:
        response["Content-Security-Policy"] = f"frame-ancestors {origin}"
        response.xframe_options_exempt = True  # type: ignore[attr-defined]
        # same-origin (Django's default) would cut the popup off from the page that opened it: no opener
        # to post to. The messages still go to the allowed origin only.
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
    else:
        response["Content-Security-Policy"] = "frame-ancestors 'self'"
    return response


def _origin(request: HttpRequest) -> tuple[str, Integration | None]:
    """The origin the page was opened for (as browsers write it) and the integration that allows it."""
    given = request.GET.get("origin", "").strip()
    integration = integrations.origin_allowed(given) if given else None
    if integration is None:
        return given, None
    return integrations.clean_origins([given])[0], integration


def _moved(href: str, base: str, picker: str) -> str:
    """A link of the search page, into the picker (the query, origin included, stays as it is)."""
    return picker + href[len(base):] if href.startswith(base + "?") else href


class PickerView(AssetListView):
    """The search list, narrowed to what may be published, with ticks and an Insert bar."""

    template_name = "distribution/picker/picker.html"
    paginate_by = 24

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.origin, self.integration = _origin(request)
        if self.integration is None:
            return _framing(render(request, "distribution/picker/not_allowed.html", {
                "title": "Picker not available here", "origin": self.origin or "no site given",
                "message": NOT_ALLOWED.format(origin=self.origin or "no site given"),
                "is_admin": authority.is_admin(request.user)}), None, self.origin)
        if not request.user.is_authenticated:
            # Not the sign-in page in place: it may not be framed, and as it sends Cross-Origin-Opener-Policy
            # same-origin, a popup passing through it would lose its opener for good. It opens in a window
            # of its own, and this page reloads when the person has signed in (signed_in, below).
            login = f"{reverse('accounts:login')}?{urlencode({'next': reverse('picker:signed_in')})}"
            return _framing(render(request, "distribution/picker/signin.html", {
                "title": "Sign in to choose assets", "login_url": login, "integration": self.integration}),
                self.integration, self.origin)
        return _framing(super().dispatch(request, *args, **kwargs), self.integration, self.origin)

    def get_queryset(self) -> Any:
        return super().get_queryset().filter(approved_and_usable())

    def get_filterset_kwargs(self, filterset_class: Any) -> dict[str, Any]:
        kwargs = super().get_filterset_kwargs(filterset_class)
        kwargs["index_scope"] = approved_and_usable()  # columns the index rows copy too: LIVE and more
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for asset in context["assets"]:
            asset.shown = asset.approved_version  # what is delivered, whatever this person may also see
        base, here = reverse("search:list"), reverse("picker:index")
        facets = {name: facet for name, facet in context["facets"].items() if name != "status"}
        for facet in facets.values():
            for value in [*facet.get("values", []), *(v for g in facet.get("vocabularies", []) for v in g["values"])]:
                value["href"] = _moved(value["href"], base, here)
        for link in [*context["chips"], *context["suggestions"]]:
            link["href"] = _moved(link["href"], base, here)
        presets = list(derivatives.presets_for(self.request.user).filter(restricted=False))
        context.update(
            title="Choose assets", facets=facets, origin=self.origin, integration=self.integration,
            has_facets=any(f.get("values") or f.get("vocabularies") for f in facets.values()),
            reset_href=f"{here}?{urlencode({'origin': self.origin})}", presets=presets,
            default_preset=next((p.name for p in presets if p.name == DEFAULT_PRESET),
                                presets[0].name if presets else ""))
        return context


picker = never_cache(PickerView.as_view())


@require_POST
def pick_view(request: HttpRequest) -> JsonResponse:
    """POST {"origin", "uids": [...], "preset"}: the `dam:picked` message the page posts on."""
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Your session ended: sign in again.", "errors": {}}, status=401)
    try:
        body = json.loads(request.body or b"{}")
        if not isinstance(body, dict):
            raise ValueError
    except ValueError:
        return JsonResponse({"detail": "Send a JSON object.", "errors": {}}, status=400)
    origin = str(body.get("origin") or "")
    integration = integrations.origin_allowed(origin) if origin else None
    if integration is None:
        message = NOT_ALLOWED.format(origin=origin or "no site given")
        return JsonResponse({"detail": message, "errors": {"origin": [message]}}, status=403)
    origin = integrations.clean_origins([origin])[0]  # as browsers write it, as the page posts to it
    try:
        assets = pick(actor=request.user, integration=integration, origin=origin, uids=body.get("uids"),
                      preset_name=str(body.get("preset") or ""), absolute=request.build_absolute_uri)
    except PickRefused as exc:
        return JsonResponse({"detail": str(exc), "errors": {exc.field: [str(exc)]} if exc.field else {}},
                            status=exc.status)
    return JsonResponse({"type": "dam:picked", "assets": assets})


@login_required
def signed_in(request: AuthedHttpRequest) -> HttpResponse:
    """Where the sign-in window opened by the picker lands: it tells the picker (which reloads) and closes."""
    return render(request, "distribution/picker/signed_in.html", {"title": "Signed in"})
