"""Settings → Connections (admins), and "Send to Postiz / WordPress" from an asset, a selection or a lightbox."""
from __future__ import annotations

import re
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from assets.models import Asset
from dam.http import AuthedHttpRequest
from distribution import derivatives
from distribution.connections import selectors as usage_selectors
from distribution.connections import services
from distribution.connections.clients import Channel, Problem
from distribution.forms_connections import ConnectionForm, PushForm
from distribution.models import Connection, Lightbox, Usage


def _connection(request: AuthedHttpRequest, pk: int, action: str) -> Connection:
    return authority.access(request.user, Connection.objects.prefetch_related("collections"), action, pk=pk)


def _form_errors(form: Any, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def connection_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", Connection)
    shown = Connection.objects.prefetch_related("collections").order_by("name")
    recent = Usage.objects.filter(connection__isnull=False).select_related("asset", "connection", "by", "version")[:20]
    return render(request, "distribution/connections/list.html", {
        "title": "Connections", "connections": shown, "recent": recent,
        "wordpress_snippet": wordpress_provider_snippet(request.build_absolute_uri("/").rstrip("/"))})


def wordpress_provider_snippet(base: str) -> str:
    """The line a WordPress site needs to show a pasted delivery URL as its picture: WordPress discovers oEmbed
    only from an HTML page's <link> tags (share pages have them), never from a file's Link header."""
    return (f"wp_oembed_add_provider( '#^{re.escape(base)}/d/.*#i', '{base}/oembed', true );")


@login_required
def connection_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", Connection)
    form = ConnectionForm(request.POST or None, initial={"kind": Connection.Kind.POSTIZ})
    if request.method == "POST" and form.is_valid():
        try:
            connection = services.connection_save(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"“{connection.name}” was saved. Test it to see that the DAM can reach it.")
            return redirect("connections:list")
    return render(request, "distribution/connections/form.html", {"title": "New connection", "form": form},
                  status=400 if form.errors else 200)


@login_required
def connection_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk, "change")
    form = ConnectionForm.for_connection(connection, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_save(actor=request.user, connection=connection, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"“{connection.name}” was saved.")
            return redirect("connections:list")
    return render(request, "distribution/connections/form.html", {
        "title": f"Edit {connection.name}", "form": form, "connection": connection},
        status=400 if form.errors else 200)


@login_required
def connection_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    connection = _connection(request, pk, "delete")
    if request.method != "POST":
        return render(request, "distribution/connections/delete.html", {
            "title": f"Remove {connection.name}", "connection": connection,
            "usages": connection.usages.count()})
    services.connection_delete(actor=request.user, connection=connection)
    messages.success(request, f"“{connection.name}” was removed. What was sent through it stays listed.")
    return redirect("connections:list")


@login_required
@require_POST
def connection_test(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    outcome = services.connection_test(actor=request.user, connection=_connection(request, pk, "test"))
    (messages.success if outcome.ok else messages.error)(request, outcome.message)
    return redirect("connections:list")


# --- sending ----------------------------------------------------------------------------------------------------

def _chosen_assets(request: AuthedHttpRequest) -> tuple[list[Asset], Lightbox | None]:
    uids = request.GET.getlist("asset") or request.POST.getlist("asset") or request.POST.getlist("uids")
    lightbox = None
    lightbox_id = request.GET.get("lightbox") or request.POST.get("lightbox")
    if lightbox_id and lightbox_id.isdigit():
        lightbox = authority.access(request.user, Lightbox.objects.all(), "view", pk=int(lightbox_id))
        from distribution.lightboxes import members_visible_to

        return list(members_visible_to(request.user, lightbox)), lightbox
    valid = []
    for uid in uids:
        try:
            valid.append(str(uuid.UUID(uid)))
        except ValueError:
            continue
    found = authority.visible(request.user, Asset.objects.filter(uid__in=valid)).select_related(
        "approved_version", "collection")
    order = {uid: i for i, uid in enumerate(valid)}
    return sorted(found, key=lambda a: order.get(str(a.uid), 0)), None


@login_required
def push_new(request: AuthedHttpRequest) -> HttpResponse:
    """Choose where to send the chosen assets, the file and (Postiz) the channels and text; POST sends."""
    authority.require(request.user, "push", Connection)
    assets, lightbox = _chosen_assets(request)
    connections = authority.visible(request.user, Connection.objects.all()).order_by("name")
    # A selection posted from the search starts the form; the form posts `asset` (and the rest) back.
    started = request.method == "POST" and "uids" in request.POST
    raw = request.POST.get("connection") or request.GET.get("connection")
    chosen = next((c for c in connections if str(c.pk) == raw), None) or (connections[0] if connections else None)
    channels: list[Channel] = []
    channels_problem = ""
    if chosen is not None and chosen.kind == Connection.Kind.POSTIZ:
        try:
            channels = services.connection_channels(actor=request.user, connection=chosen)
        except Problem as exc:
            channels_problem = f"Postiz's channels could not be listed: {exc.message}"
    presets = derivatives.presets_for(request.user).filter(restricted=False)
    data = None if started or request.method != "POST" or "send" not in request.POST else request.POST
    # What was typed survives choosing another system (the form comes back without "send").
    initial = {"connection": chosen, "preset": request.POST.get("preset") or presets.filter(name="web").first(),
               "channels": request.POST.getlist("channels"),
               "text": request.POST.get("text") or (services.default_text(assets[0]) if len(assets) == 1 else "")}
    form = PushForm(data, connections=connections, presets=presets, channels=channels, initial=initial)
    outcomes: list[tuple[Asset, str]] = []
    if data is not None and form.is_valid():
        sent = 0
        for asset in assets:
            try:
                services.asset_push(actor=request.user, asset=asset, connection=form.cleaned_data["connection"],
                                    preset=form.cleaned_data["preset"].name, channels=form.cleaned_data["channels"],
                                    text=form.cleaned_data["text"] or None)
            except services.PushRefused as exc:
                outcomes.append((asset, exc.message))
                if exc.field and exc.field in form.fields and len(assets) == 1:
                    form.add_error(exc.field, exc.message)
            else:
                sent += 1
        if sent and not outcomes:
            where = form.cleaned_data["connection"].name
            messages.success(request, f"Sending {sent} asset{'s' if sent != 1 else ''} to {where}. Each one's "
                                      "page shows where it went under “Used in”.")
            if len(assets) == 1:
                return redirect(assets[0].get_absolute_url() + "#used-in")
            return redirect(lightbox.get_absolute_url() if lightbox else "search:list")
        if sent:
            messages.success(request, f"{sent} of {len(assets)} assets are being sent; the others could not be.")
    return render(request, "distribution/connections/push.html", {
        "title": "Send to another system", "form": form, "assets": assets, "lightbox": lightbox,
        "connections": connections, "chosen": chosen, "channels_problem": channels_problem,
        "outcomes": outcomes}, status=400 if form.errors or (outcomes and data is not None) else 200)


@login_required
def usage_report(request: AuthedHttpRequest) -> HttpResponse:
    """Where used: the assets whose places still show an outdated version, and those used in most places."""
    authority.require(request.user, "list", Usage)
    return render(request, "distribution/connections/usage_report.html", {
        "title": "Where used", "report": usage_selectors.usage_report(request.user)})
