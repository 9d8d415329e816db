"""The rule form: the trigger with its parameters (a schedule in words), the folders it acts in, common
conditions as fields. The ordered actions are built row by row beside it (workflows.automation.builder)."""
from __future__ import annotations

import re
import uuid
from typing import Any, cast

from django import forms

from assets.models import Collection, ReviewState
from assets.permissions import collections_with_grant
from taxonomy.models import AssetType
from workflows.automation import registry, schedule

UUID_IN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
SCHEDULE_FIELDS = {"every": "every", "time": "at_time", "weekday": "weekday", "minute": "minute"}
CONDITION_FIELDS = ("collection", "asset_types", "mime_types", "terms_any", "review_states", "size_max")


def _list(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class RuleForm(forms.Form):
    name = forms.CharField(max_length=200)
    trigger = forms.ChoiceField(label="When")
    days = forms.IntegerField(required=False, min_value=1, label="Days before the rights expire",
                              help_text="Only for “Its rights expire in N days”.")
    every = forms.ChoiceField(required=False, label="How often",
                              choices=[("", "Choose…"), *((key, label) for key, label in schedule.EVERY.items())])
    at_time = forms.CharField(required=False, label="At", max_length=5,
                              widget=forms.TimeInput(attrs={"type": "time"}),
                              help_text="Hours and minutes, e.g. 06:00.")
    weekday = forms.ChoiceField(required=False, label="On", choices=[("", "Choose…"), *(
        (day, day.capitalize()) for day in schedule.WEEKDAYS)])
    minute = forms.CharField(required=False, max_length=2, label="Minutes past the hour",
                             widget=forms.NumberInput(attrs={"min": 0, "max": 59}))
    enabled = forms.BooleanField(required=False, help_text="Leave off until a dry run shows what it would do.")
    scope = forms.ModelMultipleChoiceField(queryset=Collection.objects.none(), required=False,
                                           label="Acts only in these folders",
                                           help_text="And their sub-folders. Folder managers must choose folders "
                                                     "they manage; empty means everywhere (admins).")
    collection = forms.ModelChoiceField(queryset=Collection.objects.all(), required=False,
                                        label="If it is in the folder", help_text="Or any folder below it.")
    asset_types = forms.MultipleChoiceField(choices=AssetType.choices, required=False,
                                            widget=forms.CheckboxSelectMultiple, label="If it is a")
    mime_types = forms.CharField(required=False, label="If its file type is",
                                 help_text="Comma-separated, e.g. image/tiff, image/*.")
    terms_any = forms.CharField(required=False, label="If it has any of the terms", help_text="Term URIs or ids.")
    review_states = forms.MultipleChoiceField(choices=ReviewState.choices, required=False,
                                              widget=forms.CheckboxSelectMultiple,
                                              label="If its current revision is")
    size_max = forms.IntegerField(required=False, min_value=0, label="If its file is at most (bytes)")

    def __init__(self, *args: Any, user: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        triggers = sorted(registry.triggers().items(), key=lambda kv: kv[1].label)
        cast(forms.ChoiceField, self.fields["trigger"]).choices = [(key, t.label) for key, t in triggers]
        managed = collections_with_grant(user, "manage").order_by("path")
        cast(forms.ModelMultipleChoiceField, self.fields["scope"]).queryset = managed

    @classmethod
    def initial_for(cls, rule: Any) -> dict[str, Any]:
        conditions = rule.conditions or {}
        params = rule.trigger_params or {}
        return {"name": rule.name, "trigger": rule.trigger, "days": params.get("days"),
                "every": params.get("every", ""), "at_time": params.get("time", ""),
                "weekday": params.get("weekday", ""), "minute": params.get("minute"), "enabled": rule.enabled,
                "scope": list(rule.scope.all()),
                "collection": conditions.get("collection"), "asset_types": conditions.get("asset_types", []),
                "mime_types": ", ".join(conditions.get("mime_types", [])),
                "terms_any": ", ".join(conditions.get("terms_any", [])),
                "review_states": conditions.get("review_states", []), "size_max": conditions.get("size_max")}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("trigger") == schedule.TRIGGER:
            # The schedule's own check, its sentences shown beside the field each is about.
            try:
                data["trigger_params"] = schedule.clean_params(self._schedule(data))
            except forms.ValidationError as exc:
                for key, errors in exc.message_dict.items():
                    self.add_error(SCHEDULE_FIELDS.get(key, "every"), errors)
        return data

    @staticmethod
    def _schedule(data: dict[str, Any]) -> dict[str, Any]:
        every = data.get("every")
        if every == "hour":
            return {"every": every, "minute": data.get("minute")}
        return {"every": every, "time": data.get("at_time"), **({"weekday": data.get("weekday")}
                                                                 if every == "week" else {})}

    def trigger_params(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["trigger"] == schedule.TRIGGER:
            return dict(data.get("trigger_params") or {})
        return {"days": data["days"]} if data["days"] else {}

    def values(self, keep: dict[str, Any] | None = None) -> dict[str, Any]:
        """The rule's fields for the services; conditions the form does not show (set over the API) are kept."""
        data = self.cleaned_data
        conditions = {key: value for key, value in (keep or {}).items() if key not in CONDITION_FIELDS}
        if data["collection"] is not None:
            conditions["collection"] = data["collection"].pk
        for key in ("asset_types", "review_states"):
            if data[key]:
                conditions[key] = data[key]
        for key in ("mime_types", "terms_any"):
            if _list(data[key]):
                conditions[key] = _list(data[key])
        if data["size_max"] is not None:
            conditions["size_max"] = data["size_max"]
        return {"name": data["name"], "trigger": data["trigger"], "enabled": data["enabled"],
                "trigger_params": self.trigger_params(), "conditions": conditions, "scope": list(data["scope"])}


class DryRunForm(forms.Form):
    asset = forms.CharField(label="Try on the asset", help_text="Paste the asset's address or its id.")

    def clean_asset(self) -> uuid.UUID:
        found = UUID_IN.search(self.cleaned_data["asset"])
        if found is None:
            raise forms.ValidationError("Paste the asset's address (…/assets/3f2b…/) or its id.")
        return uuid.UUID(found.group(0))
