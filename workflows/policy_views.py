"""The admins' approval-policy screens, under /settings/approval-policies/."""
from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from accounts import permissions as authority
from assets.models import Collection
from dam.http import AuthedHttpRequest
from workflows import services
from workflows.forms_policies import FOUR_EYES_WARNING, ApprovalPolicyForm, ApprovalStepFormSet, BaseStepFormSet
from workflows.models import ApprovalPolicy


@login_required
def policy_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", ApprovalPolicy)
    policies = (authority.visible(request.user, ApprovalPolicy.objects.all()).select_related("collection")
                .prefetch_related("steps__group").order_by("-is_default", "collection__path", "asset_type", "name"))
    return render(request, "workflows/policies/list.html", {"title": "Approval policies", "policies": policies})


@login_required
def policy_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    policy = authority.access(request.user, ApprovalPolicy.objects.all(), "change", pk=pk) if pk else None
    if policy is None:
        authority.require(request.user, "create", ApprovalPolicy)
    collections = authority.visible(request.user, Collection.objects.all()).order_by("path")
    form = ApprovalPolicyForm(request.POST or None, collections=collections, instance=policy)
    initial = [{"name": s.name, "group": s.group_id, "approvals_required": s.approvals_required}
               for s in policy.steps.order_by("position")] if policy else []
    steps = cast(BaseStepFormSet, ApprovalStepFormSet(request.POST or None, initial=initial, prefix="steps"))
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        try:
            policy = services.approval_policy_save(policy=policy, actor=request.user, steps=steps.steps(),
                                                   **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                if field == "steps":
                    steps.add_service_errors(errors)
                else:
                    form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Approval policy “{policy.name}” saved. Reviews started from now on "
                                      "follow it.")
            return redirect("approval_policies:list")
    failed = bool(form.errors or steps.total_error_count())
    return render(request, "workflows/policies/form.html", {
        "title": f"Approval policy “{policy.name}”" if policy else "New approval policy", "form": form,
        "steps": steps, "policy": policy,
        "four_eyes_warning": FOUR_EYES_WARNING}, status=400 if failed else 200)
