"""The admins' screens for download presets and watermarks, under /settings/presets/."""
from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import permissions as authority
from dam.http import AuthedHttpRequest
from distribution import presets
from distribution.forms_presets import PresetForm, WatermarkForm
from distribution.models import Preset, Watermark


def _errors(form: ModelForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def preset_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", Preset)
    return render(request, "distribution/presets/list.html", {
        "title": "Download presets", "presets": Preset.objects.select_related("watermark"),
        "watermarks": Watermark.objects.all()})


def _preset_values(form: PresetForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "name"}


@login_required
def preset_edit(request: AuthedHttpRequest, name: str | None = None) -> HttpResponse:
    preset = authority.access(request.user, Preset.objects.all(), "change", name=name) if name else None
    if preset is None:
        authority.require(request.user, "create", Preset)
    # Bound to a copy: a refused change must not show as if it were saved.
    form = PresetForm(request.POST or None, instance=Preset.objects.get(pk=preset.pk) if preset else None)
    if request.method == "POST" and form.is_valid():
        try:
            if preset is None:
                preset = presets.preset_create(actor=request.user, name=form.cleaned_data["name"],
                                               **_preset_values(form))
            else:
                presets.preset_update(preset=preset, actor=request.user, **_preset_values(form))
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"Preset “{preset.label}” saved. Its next downloads are made to it.")
            return redirect("presets:list")
    return render(request, "distribution/presets/form.html", {
        "title": f"Preset “{preset.label}”" if preset else "New download preset", "form": form, "preset": preset},
        status=400 if form.errors else 200)


@login_required
@require_POST
def preset_delete(request: AuthedHttpRequest, name: str) -> HttpResponse:
    preset = authority.access(request.user, Preset.objects.all(), "delete", name=name)
    try:
        presets.preset_delete(preset=preset, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Preset “{preset.label}” deleted.")
    return redirect("presets:list")


@login_required
def watermark_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    mark = authority.access(request.user, Watermark.objects.all(), "change", pk=pk) if pk else None
    if mark is None:
        authority.require(request.user, "create", Watermark)
    form = WatermarkForm(request.POST or None, request.FILES or None,
                         instance=Watermark.objects.get(pk=mark.pk) if mark else None)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k not in ("image",)}
        try:
            mark = presets.watermark_save(actor=request.user, watermark=mark, image=form.cleaned_data.get("image") or
                                          None, **values)
        except ValidationError as exc:
            _errors(form, exc)
        else:
            messages.success(request, f"Watermark “{mark.name}” saved.")
            return redirect("presets:list")
    return render(request, "distribution/presets/watermark_form.html", {
        "title": f"Watermark “{mark.name}”" if mark else "New watermark", "form": form, "mark": mark},
        status=400 if form.errors else 200)


@login_required
@require_POST
def watermark_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    mark = authority.access(request.user, Watermark.objects.all(), "delete", pk=pk)
    try:
        presets.watermark_delete(watermark=mark, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Watermark “{mark.name}” deleted.")
    return redirect("presets:list")
