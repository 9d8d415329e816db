"""The rule form's actions builder: a list of steps, each an action kind with that action's own fields.

The fields come from the action registry's parameter descriptions (registry.Param), so an app that registers
an action gets its row in the form for free. Each row posts as `steps` (its id, in page order) and
`step-<id>-type`, `step-<id>-<param>`; the order of the `steps` values is the order of the actions, so moving
a row (with or without JavaScript) needs no renumbering.

A row's parameters become the JSON the API takes ({"collection": "7"}, {"groups": ["Social media team"]}),
and the action's own `clean_params` checks them, as it does for the API: one check, whose sentences are
shown inside the row they are about.

Without JavaScript the row buttons (add, remove, up, down, "show its fields") submit the form, which comes
back rebuilt and unsaved; static/js/automation.js does the same in the page.
"""
from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from taxonomy.models import Term
from taxonomy.pickers import TermsWidget
from workflows.automation import registry
from workflows.automation.registry import Param

EDITS = ("_add", "_remove", "_move", "_refresh")  # buttons that rebuild the form instead of saving it


class _Pick(forms.ChoiceField):
    """A choice the action checks itself (a folder that was since deleted gets its sentence, not Django's)."""

    def valid_value(self, value: Any) -> bool:
        return True


class _PickSeveral(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


def _field(param: Param, user: Any) -> forms.Field:
    options: dict[str, Any] = {"label": param.label, "required": False, "help_text": param.help}
    choices = list(param.choices(user)) if param.choices else []
    if param.kind == "choice":
        if not any(value == "" for value, _ in choices):
            choices = [("", "Choose…")] + choices
        return _Pick(choices=choices, **options)
    if param.kind == "choices":
        return _PickSeveral(choices=choices, widget=forms.CheckboxSelectMultiple, **options)
    if param.kind == "terms":
        return _PickSeveral(choices=[], widget=TermsWidget, **options)
    if param.kind == "textarea":
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **options)
    if param.kind == "number":
        return forms.CharField(widget=forms.NumberInput, **options)
    return forms.CharField(**options)


def _to_json(param: Param, value: Any) -> Any:
    if param.kind == "list":
        return [part.strip() for part in str(value or "").split(",") if part.strip()]
    if param.kind in ("choices", "terms"):
        return [str(v) for v in value or []]
    return value if value is not None else ""


def _from_json(param: Param, value: Any) -> Any:
    if param.kind == "list":
        return ", ".join(map(str, value)) if isinstance(value, list) else value
    if param.kind == "terms":  # stored as URIs, picked as ids
        refs = [str(v) for v in value or []]
        return [str(pk) for pk in Term.objects.filter(uri__in=refs).values_list("pk", flat=True)] + \
            [ref for ref in refs if ref.isdigit()]
    if value is None:
        return ""
    return value


def as_typed(form: forms.Form) -> dict[str, Any]:
    """A bound form's values as they were typed, as `initial` for the same form shown again unbound."""
    return {name: field.widget.value_from_datadict(form.data, form.files, form.add_prefix(name))
            for name, field in form.fields.items()}


def action_choices() -> list[tuple[str, str]]:
    return [("", "Choose an action…")] + sorted(((key, a.label) for key, a in registry.actions().items()),
                                               key=lambda pair: pair[1])


class StepForm(forms.Form):
    """One step: the kind of action and, once chosen, that action's fields."""

    type = forms.ChoiceField(label="Action", required=False)

    def __init__(self, *args: Any, rid: str, user: Any, **kwargs: Any):
        kwargs["prefix"] = f"step-{rid}"
        super().__init__(*args, **kwargs)
        self.rid = rid
        cast(forms.ChoiceField, self.fields["type"]).choices = action_choices()
        key = (self.data.get(self.add_prefix("type")) if self.is_bound else self.initial.get("type")) or ""
        self.action = registry.actions().get(str(key))
        for param in self.action.params if self.action else ():
            self.fields[param.name] = _field(param, user)
        self.row_errors: list[str] = []

    def param_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != "type"]

    def step(self) -> dict[str, Any] | None:
        """The step as the API takes it, checked by its action; None (with row_errors) when it is not right."""
        if not self.is_valid():
            self.row_errors = [str(e) for errors in self.errors.values() for e in errors]
            return None
        if self.action is None:
            self.row_errors = ["Choose an action."]
            return None
        params = {p.name: _to_json(p, self.cleaned_data.get(p.name)) for p in self.action.params}
        try:
            self.action.clean_params(params)
        except ValidationError as exc:
            self.row_errors = exc.messages
            return None
        return {"type": self.action.key, "params": params}


class StepsBuilder:
    """The rows of the builder, from a rule's actions (to edit) or from a POST (to save or rebuild)."""

    def __init__(self, *, user: Any, data: QueryDict | None = None, actions: list[Mapping[str, Any]] | None = None):
        self.user = user
        self.data = data
        self.errors: list[str] = []
        if data is None:
            self.rows = [StepForm(rid=str(n), user=user, initial=_initial(step))
                         for n, step in enumerate(actions or [])]
        else:
            self.rows = [StepForm(data, rid=rid, user=user) for rid in dict.fromkeys(data.getlist("steps"))]

    @property
    def editing(self) -> bool:
        """The POST is a row button (add, remove, move, show its fields), not "save"."""
        return self.data is not None and any(key in self.data for key in EDITS)

    def rebuild(self) -> None:
        """Carry out the row button that was pressed."""
        if self.data is None:
            return
        rows = {row.rid: row for row in self.rows}
        if (rid := self.data.get("_remove")) in rows:
            self.rows.remove(rows[rid])
        if (move := self.data.get("_move", "")).count(":") == 1:
            rid, way = move.split(":")
            if rid in rows:
                at = self.rows.index(rows[rid])
                to = at - 1 if way == "up" else at + 1
                if 0 <= to < len(self.rows):
                    self.rows[at], self.rows[to] = self.rows[to], self.rows[at]
        # Shown again as typed, unbound: a rebuilt form has no errors yet, as nothing was saved.
        self.rows = [StepForm(rid=row.rid, user=self.user, initial=as_typed(row)) for row in self.rows]
        if "_add" in self.data:
            self.rows.append(StepForm(rid=self.new_rid(), user=self.user))

    def new_rid(self) -> str:
        taken = {row.rid for row in self.rows}
        return next(str(n) for n in itertools.count(len(taken)) if str(n) not in taken)

    def actions(self) -> list[dict[str, Any]] | None:
        """The steps in order as the API takes them; None when a row has an error (shown in the row)."""
        steps = [row.step() for row in self.rows]
        if not self.rows:
            self.errors = ["Add at least one action."]
        if self.errors or any(step is None for step in steps):
            return None
        return [step for step in steps if step is not None]

    def templates(self) -> list[StepForm]:
        """One empty row per action kind, for the page's script to copy when a kind is chosen or a row added."""
        return [StepForm(rid="__rid__", user=self.user, initial={"type": key}) for key, _ in action_choices()]


def _initial(step: Mapping[str, Any]) -> dict[str, Any]:
    action = registry.actions().get(str(step.get("type")))
    params = step.get("params") or {}
    values: dict[str, Any] = {"type": step.get("type")}
    for param in action.params if action else ():
        values[param.name] = _from_json(param, params.get(param.name))
    return values
