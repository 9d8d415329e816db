"""Forms for the retention screens: parse input, nothing more (the services check the rules)."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import Q

from archive.models import RetentionRule
from assets.models import Collection, ReviewState
from taxonomy.models import AssetType, Term


class TermsField(forms.CharField):
    """Terms by label or URI, comma-separated: a vocabulary of thousands does not fit a select box."""

    def clean(self, value: Any) -> list[Term]:  # type: ignore[override]
        text = super().clean(value)
        names = [name.strip() for name in (text or "").split(",") if name.strip()]
        found: list[Term] = []
        unknown = []
        for name in names:
            term = Term.objects.filter(Q(uri=name) | Q(label__iexact=name)).order_by("pk").first()
            if term is None:
                unknown.append(name)
            elif term not in found:
                found.append(term)
        if unknown:
            raise forms.ValidationError("No term is called " + ", ".join(f"“{n}”" for n in unknown) + ".")
        return found


class RetentionRuleForm(forms.ModelForm):
    collection = forms.ModelChoiceField(Collection.objects.order_by("path"), required=False,
                                        empty_label="Any folder", label="In the folder (and its sub-folders)")
    terms = TermsField(required=False, label="Carrying any of these terms",
                       help_text="Term labels or URIs, separated by commas.")

    class Meta:
        model = RetentionRule
        fields = ["name", "description", "action", "collection", "asset_type", "review_state", "older_than_days",
                  "not_downloaded_days", "archived_for_days"]
        labels = {
            "action": "What it does",
            "asset_type": "Of the type",
            "review_state": "Whose current revision is",
            "older_than_days": "Uploaded more than … days ago",
            "not_downloaded_days": "Not downloaded for … days",
            "archived_for_days": "Archived for more than … days",
        }
        help_texts = {
            "action": "Archived assets leave lists, viewers and delivery and can be restored from the archive. "
                      "Assets moved to the bin are hidden from everyone and purged for good after the grace period.",
            "not_downloaded_days": "Counts downloads, delivery URLs and share links. An asset never downloaded "
                                   "matches once it is that old.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        action = cast(forms.ChoiceField, self.fields["action"])
        action.choices, action.initial = RetentionRule.Action.choices, RetentionRule.Action.ARCHIVE
        cast(forms.ChoiceField, self.fields["asset_type"]).choices = [("", "Any type"), *AssetType.choices]
        cast(forms.ChoiceField, self.fields["review_state"]).choices = [("", "Any state"), *ReviewState.choices]
        if self.instance.pk and not self.is_bound:
            self.initial["terms"] = ", ".join(self.instance.terms.values_list("label", flat=True))


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason")


class EnableForm(forms.Form):
    confirm = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
