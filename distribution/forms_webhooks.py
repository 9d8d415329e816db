"""Forms of the webhook screens, and the delivery log's filter (the screen's and the API's)."""
from __future__ import annotations

import django_filters
from django import forms

from distribution.models import WebhookDelivery, WebhookEvent
from distribution.webhooks.services import MAX_URL_LENGTH


class WebhookForm(forms.Form):
    url = forms.CharField(
        label="Address", max_length=MAX_URL_LENGTH, widget=forms.URLInput(attrs={"placeholder": "https://…"}),
        help_text="An http(s) address outside the DAM. It receives a signed JSON POST for each event.")
    events = forms.MultipleChoiceField(choices=WebhookEvent.choices, widget=forms.CheckboxSelectMultiple,
                                       label="Events", error_messages={"required": "Choose at least one event."})
    active = forms.BooleanField(required=False, initial=True, label="Active",
                                help_text="Off: no events are sent (test events and “Send again” still are).")


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices, empty_label="Any status",
                                         label="Status")
    event = django_filters.CharFilter(label="Event")

    class Meta:
        model = WebhookDelivery
        fields = ["status", "event"]
