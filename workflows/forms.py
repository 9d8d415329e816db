from __future__ import annotations

import json
from typing import Any

import django_filters
from django import forms

from workflows.models import NotificationPreference, Review


class DecisionForm(forms.Form):
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sha256 = forms.RegexField(r"^[0-9a-f]{64}$", required=False, widget=forms.HiddenInput)
    # The review step shown when the reviewer decided: a decision never lands on a later step.
    step = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    body = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    region = forms.CharField(required=False, widget=forms.HiddenInput,
                             help_text="Drag on the preview to mark a region (optional).")

    def clean_region(self) -> Any:
        raw = self.cleaned_data["region"]
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            raise forms.ValidationError("The region could not be read; draw it again.") from None


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(label="Email me", choices=NotificationPreference.Email.choices)


class ReviewFilter(django_filters.FilterSet):
    step = django_filters.NumberFilter(label="Step")
    ordering = django_filters.OrderingFilter(
        fields=(("step_opened_at", "age"), ("step", "step"), ("created_at", "submitted")),
        field_labels={"step_opened_at": "Oldest first", "-step_opened_at": "Newest first"},
        label="Sort", empty_label="Step, then oldest",
    )

    class Meta:
        model = Review
        fields = ["step"]


class BulkSubmitForm(forms.Form):
    """One note for the reviewers of every asset sent in one go (workflows.bulk_views.bulk_submit)."""

    comment = forms.CharField(label="Note for the reviewers", required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="Sent with each asset; say what they should look at.")
