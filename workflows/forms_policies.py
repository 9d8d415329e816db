"""The approval-policy settings form: the policy's fields and its ordered steps (a formset)."""
from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.models import Group
from django.db.models import QuerySet

from assets.models import Collection
from dam.forms import TreeChoiceField
from taxonomy.models import AssetType
from workflows.models import ApprovalPolicy

FOUR_EYES_HELP = ("Leave this off to keep four eyes: each step of a review is signed by a different person, "
                  "admins included.")
FOUR_EYES_WARNING = ("When this is on, one person (an admin, or someone in the groups of two steps) can take a "
                     "revision through every step of this policy alone. Turn it on only for a team too small to "
                     "have a different person for each step.")


class ApprovalPolicyForm(forms.Form):
    """A plain form: which policy a collection or type already follows, and the one default, are the service's
    checks (a model form would answer them first, naming a database constraint)."""

    name = forms.CharField(max_length=200)
    collection = TreeChoiceField(queryset=Collection.objects.none(), required=False, empty_label="(any collection)",
                                 help_text="Revisions in this collection and its sub-collections follow this policy.")
    asset_type = forms.ChoiceField(choices=[("", "(any type)"), *AssetType.choices], required=False,
                                   label="Asset type",
                                   help_text="Without a collection: revisions of this type follow this policy.")
    is_default = forms.BooleanField(required=False, label="This is the default policy", help_text=(
        "Followed when no collection or asset type policy applies. Making this the default takes that role from "
        "the current default policy."))
    same_person_may_sign_several_steps = forms.BooleanField(
        required=False, label="One person may approve more than one step of the same review", help_text=FOUR_EYES_HELP)

    def __init__(self, *args: Any, collections: QuerySet[Collection], instance: ApprovalPolicy | None = None,
                 **kwargs: Any):
        if instance is not None:
            kwargs["initial"] = {name: getattr(instance, name) for name in
                                 ("name", "collection", "asset_type", "is_default",
                                  "same_person_may_sign_several_steps")}
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["collection"]).queryset = collections


class ApprovalStepForm(forms.Form):
    name = forms.CharField(max_length=100, label="Step")
    group = forms.ModelChoiceField(queryset=Group.objects.order_by("name"), label="Signed by a member of",
                                   empty_label="(choose a group)")
    approvals_required = forms.IntegerField(min_value=1, max_value=20, initial=1, label="Approvals needed")


class BaseStepFormSet(forms.BaseFormSet):
    def add_service_errors(self, errors: list[str]) -> None:
        """The service's objections to the steps as a whole, above the rows."""
        self._non_form_errors = self.error_class([*self.non_form_errors(), *errors])

    def steps(self) -> list[dict[str, Any]]:
        """The kept steps, in the order shown, without the empty extra row."""
        extra = self.forms[self.initial_form_count():]
        return [{key: form.cleaned_data[key] for key in ("name", "group", "approvals_required")}
                for form in self.forms if form.cleaned_data and not form.cleaned_data.get("DELETE")
                and not (form in extra and not form.has_changed())]


ApprovalStepFormSet = forms.formset_factory(ApprovalStepForm, formset=BaseStepFormSet, extra=1, can_delete=True)
