"""Editing many assets at once: the bulk editor and metadata from a spreadsheet (CSV)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import permissions as authority
from assets import metadata_csv, selectors, services
from assets.forms import BulkEditForm, MetadataImportForm
from assets.models import Asset, Collection
from dam.http import AuthedHttpRequest


@login_required
def bulk_edit(request: AuthedHttpRequest) -> HttpResponse:
    uids = request.POST.getlist("uids") or [u for u in request.POST.get("assets", "").split(",") if u]
    visible = selectors.assets_visible_to(request.user).filter(uid__in=uids) if uids else Asset.objects.none()
    visible = visible.select_related("collection", "current_version").order_by("title", "pk")
    assets: list[Asset] = []
    not_editable: list[Asset] = []
    for asset in visible:
        (assets if authority.can(request.user, "edit", asset) else not_editable).append(asset)
    collections = selectors.collections_for_upload(request.user) | Collection.objects.filter(
        pk__in=[a.collection_id for a in assets])
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""  # where the selection was made (the list, an upload batch); never another site
    bound = request.method == "POST" and "field_key" in request.POST
    form = BulkEditForm(request.POST if bound else None, collections=collections.distinct().order_by("path"),
                        initial={"assets": ",".join(str(a.uid) for a in assets)})
    refusals: list[tuple[Asset, str]] = []
    if bound and form.is_valid():
        data = form.cleaned_data
        metadata = {data["field_key"]: data["field_value"]} if data["field_key"] else None
        fields, appended = form.field_changes()
        try:
            changed = services.assets_bulk_update(
                assets=assets, actor=request.user, add_terms=[t.pk for t in data["add_terms"]],
                remove_terms=list(data["remove_terms"]), collection=data["collection"], metadata=metadata,
                fields=fields, append_description=appended)
        except services.BulkRefused as exc:
            refusals = exc.refusals
            form.add_error(None, f"Nothing was changed: {len(refusals)} of the selected assets cannot take this "
                                 "change. Each is listed with the reason; fix it there or leave it out of the "
                                 "selection, then apply again.")
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"{changed} of {len(assets)} asset{'s' if len(assets) != 1 else ''} changed.")
            return redirect(back or "search:list")
    return render(request, "assets/bulk_edit.html", {
        "title": "Edit many assets", "form": form, "assets": assets, "refusals": refusals,
        "not_editable": not_editable, "skipped": len(set(uids)) - len(assets) - len(not_editable), "next": back,
    }, status=400 if form.errors else 200)


@login_required
def metadata_import(request: AuthedHttpRequest) -> HttpResponse:
    form = MetadataImportForm(request.POST or None, request.FILES or None)
    results: list[metadata_csv.RowResult] = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["file"].read().decode("utf-8-sig", errors="replace")
        try:
            results = metadata_csv.import_csv(text=text, actor=request.user)
        except ValidationError as exc:
            form.add_error("file", exc)
    summary = {status: sum(1 for r in results if r.status == status) for status in ("updated", "unchanged", "error")}
    return render(request, "assets/metadata_import.html", {"title": "Import metadata", "form": form,
                                                           "results": results, "summary": summary},
                  status=400 if form.errors else 200)
