"""The admins' webhook screens: subscriptions, the secret once, each one's delivery log."""
from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_filters.views import FilterView

from accounts import permissions as authority
from dam.http import AuthedHttpRequest
from distribution.forms_webhooks import DeliveryFilter, WebhookForm
from distribution.models import Webhook, WebhookDelivery
from distribution.webhooks import selectors, services


def _webhook(request: AuthedHttpRequest, pk: int, action: str = "view") -> Webhook:
    return authority.access(request.user, Webhook.objects.all(), action, pk=pk)


def _form_errors(form: WebhookForm, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def webhook_list(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "view", Webhook)
    return render(request, "distribution/webhooks/list.html", {
        "title": "Webhooks", "webhooks": selectors.webhooks_for(request.user)})


@login_required
@never_cache  # the answer to a creation shows the secret: no cache may keep it
def webhook_new(request: AuthedHttpRequest) -> HttpResponse:
    authority.require(request.user, "create", Webhook)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook, secret = services.webhook_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(request, "distribution/webhooks/created.html", {
                "title": "Webhook created", "webhook": webhook, "secret": secret})
    return render(request, "distribution/webhooks/form.html", {"title": "New webhook", "form": form},
                  status=400 if form.errors else 200)


@login_required
def webhook_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook(request, pk, "change")
    form = WebhookForm(request.POST or None,
                       initial={"url": webhook.url, "events": webhook.events, "active": webhook.active})
    if request.method == "POST" and form.is_valid():
        try:
            services.webhook_update(webhook=webhook, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, "The webhook was saved.")
            return redirect(webhook)
    return render(request, "distribution/webhooks/form.html", {
        "title": "Edit webhook", "form": form, "webhook": webhook}, status=400 if form.errors else 200)


class DeliveryLogView(LoginRequiredMixin, FilterView):
    """One subscription's deliveries, newest first: status, answer, time, attempts, why it failed."""

    filterset_class = DeliveryFilter
    template_name = "distribution/webhooks/detail.html"
    context_object_name = "deliveries"
    paginate_by = 50

    def get_queryset(self) -> Any:
        self.webhook = _webhook(self.request, self.kwargs["pk"])  # type: ignore[arg-type]
        return selectors.deliveries_of(self.webhook)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        for delivery in context["deliveries"]:
            delivery.body_text = json.dumps(delivery.payload, indent=2, ensure_ascii=False)
        context.update(title=self.webhook.url, webhook=self.webhook, querystring=query.urlencode())
        return context


@login_required
@require_POST
def webhook_delete(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook(request, pk, "delete")
    services.webhook_delete(webhook=webhook, actor=request.user)
    messages.success(request, f"The webhook to {webhook.url} was deleted; nothing more is sent there.")
    return redirect("webhooks:list")


@login_required
@require_POST
def webhook_ping(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    webhook = _webhook(request, pk, "ping")
    services.webhook_ping(webhook=webhook, actor=request.user)
    messages.success(request, "A test event was sent; its outcome is at the top of the log.")
    return redirect(webhook)


@login_required
@require_POST
def delivery_redeliver(request: AuthedHttpRequest, pk: int, did: int) -> HttpResponse:
    webhook = _webhook(request, pk, "redeliver")
    delivery = get_object_or_404(WebhookDelivery.objects.select_related("webhook"), webhook=webhook, pk=did)
    services.delivery_redeliver(delivery=delivery, actor=request.user)
    messages.success(request, f"Delivery {delivery.pk} ({delivery.event}) was sent again as a new delivery.")
    return redirect(webhook)
