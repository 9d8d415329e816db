from __future__ import annotations

from typing import Any, cast

from django import forms

from archive.models import ReleaseDocument
from archive.rights.selectors import DEFAULT_PERIOD, REPORT_PERIODS
from assets.models import LicenceType, RightsOnExpiry


class PeriodForm(forms.Form):
    days = forms.TypedChoiceField(choices=[(d, f"within {d} days") for d in REPORT_PERIODS], coerce=int,
                                  initial=DEFAULT_PERIOD, required=False, label="Expiring")


class RenewForm(forms.Form):
    expires_at = forms.DateTimeField(label="New expiry", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                     error_messages={"required": "Give the new expiry date.",
                                                     "invalid": "Give the new expiry as a date and time."})


class ReleaseForm(forms.Form):
    kind = forms.ChoiceField(choices=ReleaseDocument.Kind.choices, label="Release")
    file = forms.FileField(label="Signed document", help_text="PDF or a scan (JPEG, PNG, TIFF), up to 50 MB.")


class ExpiryActionForm(forms.Form):
    action = forms.ChoiceField(choices=RightsOnExpiry.choices, widget=forms.RadioSelect,
                               label="When an asset's rights expire",
                               error_messages={"required": "Choose what happens when an asset's rights expire.",
                                               "invalid_choice": "Choose one of the listed actions."})

    def __init__(self, *args: Any, inherited: str | None = None, **kwargs: Any) -> None:
        """`inherited`: what the parent folder's choice is now (a sentence); None for a top-level folder."""
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["action"])
        follow = (f"As the parent folder (now: {inherited})" if inherited
                  else "No choice of its own: hide, as every top-level folder without one")
        own = [(value, label) for value, label in RightsOnExpiry.choices if value != RightsOnExpiry.INHERIT]
        field.choices = [(RightsOnExpiry.INHERIT.value, follow), *own]


class LicenceTypeForm(forms.ModelForm):
    class Meta:
        model = LicenceType
        fields = ["name", "url", "description", "active"]
        labels = {"url": "Licence text (URL)", "active": "Offered for new choices"}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self) -> None:
        """The service checks names (case-insensitively) and says so in a sentence."""
