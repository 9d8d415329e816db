"""Form fields several apps use."""
from __future__ import annotations

from typing import Any

from django import forms


class TreeChoiceField(forms.ModelChoiceField):
    """A choice among the nodes of a tree (folders), each indented by its `depth`."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj}"


class TreeMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'— ' * obj.depth}{obj}"
