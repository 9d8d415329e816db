"""The admins' integration screens: outside tools with a key, and the sites that may use the picker."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from accounts import permissions as authority
from dam.http import AuthedHttpRequest
from distribution import integrations
from distribution.forms_integrations import IntegrationForm
from distribution.models import Integration


def _integration(request: AuthedHttpRequest, pk: int, action: str) -> Integration:
    return authority.access(request.user, Integration.objects.all(), action, pk=pk)


def _form_errors(form: IntegrationForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def integration_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "view", Integration)
    shown = authority.visible(request.user, Integration.objects.select_related("created_by")).order_by(
        "revoked_at", "name")
    return render(request, "distribution/integrations/list.html", {"title": "Integrations", "integrations": shown})


@login_required
@never_cache  # the answer to a creation shows the key: no cache may keep it
def integration_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", Integration)
    form = IntegrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            integration, key = integrations.integration_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(request, "distribution/integrations/created.html", {
                "title": "Integration created", "integration": integration, "key": key})
    return render(request, "distribution/integrations/form.html", {"title": "New integration", "form": form},
                  status=400 if form.errors else 200)


@login_required
def integration_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    integration = _integration(request, pk, "change")
    form = IntegrationForm.for_integration(integration, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            integrations.integration_update(integration=integration, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, f"“{integration.name}” was saved.")
            return redirect("integrations:list")
    return render(request, "distribution/integrations/form.html", {
        "title": f"Edit {integration.name}", "form": form, "integration": integration},
        status=400 if form.errors else 200)


@login_required
def integration_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes: its key stops working and its sites may no longer use the picker."""
    integration = _integration(request, pk, "revoke")
    if request.method != "POST":
        return render(request, "distribution/integrations/revoke.html", {
            "title": f"Revoke {integration.name}", "integration": integration})
    integrations.integration_revoke(integration=integration, actor=request.user)
    messages.success(request, f"“{integration.name}” was revoked: its key no longer works and its sites may no "
                              "longer use the picker.")
    return redirect("integrations:list")
