"""The audit log's filters, one FilterSet for the page and the API."""
from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet

from accounts import audit as audit_text
from accounts.models import AuditEvent, User
from analytics import audit
from assets.models import Collection

DATE = forms.DateInput(attrs={"type": "date"})


class AuditFilterForm(forms.Form):
    def clean_actor(self) -> User | None:
        username = (self.cleaned_data.get("actor") or "").strip()
        if not username:
            return None
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            raise forms.ValidationError(f"No one has the user name “{username}”.")
        return user

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", "The end of the period is before its start.")
        return data


class AuditFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(method="filter_actor", label="User")
    action = django_filters.ChoiceFilter(method="filter_action", label="Action", empty_label="Any action",
                                         choices=audit_text.action_choices)
    object = django_filters.CharFilter(method="filter_object", label="Object",
                                       help_text="An asset’s id (its revisions and reviews too) or part of a name.")
    collection = django_filters.ModelChoiceFilter(queryset=Collection.objects.order_by("path"),
                                                  method="filter_collection", label="Folder",
                                                  empty_label="Any folder")
    since = django_filters.DateFilter(method="filter_dates", label="From", widget=DATE)
    until = django_filters.DateFilter(method="filter_dates", label="Until", widget=DATE)
    q = django_filters.CharFilter(method="filter_text", label="Search the details")

    class Meta:
        model = AuditEvent
        fields: list[str] = []
        form = AuditFilterForm

    def filter_actor(self, events: QuerySet[AuditEvent], name: str, value: User) -> QuerySet[AuditEvent]:
        return audit.by_actor(events, value)  # the form's clean_actor found the user by name

    def filter_action(self, events: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return audit.by_action(events, value)

    def filter_object(self, events: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return audit.by_object(events, value)

    def filter_collection(self, events: QuerySet[AuditEvent], name: str, value: Collection) -> QuerySet[AuditEvent]:
        return audit.by_collection(events, value)

    def filter_dates(self, events: QuerySet[AuditEvent], name: str, value: Any) -> QuerySet[AuditEvent]:
        return audit.by_dates(events, value if name == "since" else None, value if name == "until" else None)

    def filter_text(self, events: QuerySet[AuditEvent], name: str, value: str) -> QuerySet[AuditEvent]:
        return audit.by_text(events, value)


def filtered_events(user: User, params: Any) -> tuple[QuerySet[AuditEvent], dict[str, list[str]]]:
    """The admin's events narrowed by the filters in `params`, and {field: [messages]} when one is wrong."""
    filterset = AuditFilter(params, queryset=audit.audit_events(user))
    if not filterset.is_valid():
        return AuditEvent.objects.none(), {field: [str(m) for m in messages]
                                           for field, messages in filterset.errors.items()}
    return filterset.qs, {}
