"""The lightbox screens' forms: they parse; distribution/lightbox_services.py decides."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import django_filters
from django import forms
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet

from distribution.lightbox_services import NAME_MAX, NOTE_MAX
from distribution.models import Lightbox

NEW = "new"
# Typing a new lightbox's name picks "New lightbox…" (without JavaScript, one picks it by hand).
PICK_NEW = "if (this.value) this.form.lightbox.value='new'"


class LightboxFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    whose = django_filters.ChoiceFilter(choices=[("mine", "Mine"), ("shared", "Shared with me")],
                                        method="filter_whose", label="Whose", empty_label="All")

    class Meta:
        model = Lightbox
        fields = ["q", "whose"]

    def filter_whose(self, queryset: QuerySet[Lightbox], name: str, value: str) -> QuerySet[Lightbox]:
        mine = Q(owner=self.request.user) if self.request else Q()
        return queryset.filter(mine) if value == "mine" else queryset.exclude(mine)


class LightboxForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Optional: what the lightbox is for.")


class AddToLightboxForm(forms.Form):
    """Add the chosen assets to one of the person's lightboxes, or to a new one named here."""

    lightbox = forms.ChoiceField(label="Lightbox")
    new_name = forms.CharField(max_length=NAME_MAX, required=False, label="New lightbox's name",
                               widget=forms.TextInput(attrs={"oninput": PICK_NEW}))

    def __init__(self, *args: Any, lightboxes: Iterable[Lightbox], user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        # Others' lightboxes (shared with this person to edit) say whose they are.
        choices = [(str(lb.pk), lb.name if lb.owner_id == user.pk else f"{lb.name} ({lb.owner.display_name})")
                   for lb in lightboxes]
        self.fields["lightbox"].choices = [*choices, (NEW, "New lightbox…")]  # type: ignore[attr-defined]
        if not self.is_bound:
            self.fields["lightbox"].initial = choices[0][0] if choices else NEW

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("lightbox") == NEW and not (data.get("new_name") or "").strip():
            self.add_error("new_name", "Name the new lightbox.")
        return data


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class ShareForm(forms.Form):
    user = forms.CharField(required=False, max_length=150, label="Person", help_text="Their username.")
    group = forms.ChoiceField(required=False, label="or a group")
    access = forms.ChoiceField(choices=[("view", "May look"), ("edit", "May edit its assets and notes")],
                               initial="view", label="Access")

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "—"), *(  # type: ignore[attr-defined]
            (name, name) for name in Group.objects.order_by("name").values_list("name", flat=True))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool((data.get("user") or "").strip()) == bool(data.get("group")):
            raise forms.ValidationError("Name one person or choose one group.")
        return data
