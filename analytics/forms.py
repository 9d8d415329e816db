"""Reading a report's query (period, folder, type, term) from a page's or the API's parameters."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from accounts import permissions as authority
from analytics.selectors.query import CUSTOM, PRESET_DAYS, ReportQuery
from assets.models import Collection
from dam.forms import TreeChoiceField
from taxonomy.models import AssetType, Term
from taxonomy.pickers import TermChoiceField, TermWidget

DEFAULT_PERIOD = "30d"
MAX_YEARS = 5
PERIOD_CHOICES = [("7d", "Last 7 days"), ("30d", "Last 30 days"), ("90d", "Last 90 days"),
                  ("365d", "Last 365 days"), (CUSTOM, "Custom dates")]


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a year without one
        return day.replace(year=day.year + years, day=28)


_DAY = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")  # the browser's date picker sends YYYY-MM-DD


class ReportQueryForm(forms.Form):
    """ReportQueryForm(data=request.GET, user=request.user); valid -> form.report_query().

    Unknown periods, folders, types and terms, a period that ends before it starts and one longer than five
    years are errors on their field. `known_params`, when given, also makes any other parameter an error
    (the API: a misspelt filter must not be silently ignored).
    """

    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, label="Period", error_messages={
        "invalid_choice": "Choose a period: the last 7, 30, 90 or 365 days, or custom dates."})
    collection = TreeChoiceField(queryset=Collection.objects.none(), required=False, empty_label="All collections",
                                 error_messages={"invalid_choice": "There is no such collection among those you "
                                                                   "can see."})
    type = forms.ChoiceField(choices=[("", "All types"), *AssetType.choices], required=False, label="Asset type",
                             error_messages={"invalid_choice": "There is no such asset type."})
    term = TermChoiceField(queryset=Term.objects.all(), required=False, label="Term",
                           widget=TermWidget(attrs={"placeholder": "Any term: type a label to narrow…"}),
                           error_messages={"invalid_choice": "There is no such term."})

    def __init__(self, *args: Any, user: Any, known_params: Iterable[str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.user = user
        self.known_params = None if known_params is None else {*self.base_fields, "from", "to", *known_params}
        # "from" and "to" are Python keywords, so they cannot be declared as attributes above.
        self.fields["from"] = forms.DateField(required=False, label="From", widget=_DAY, error_messages={
            "invalid": "Enter the first day as a date (YYYY-MM-DD)."})
        self.fields["to"] = forms.DateField(required=False, label="To", widget=_DAY, error_messages={
            "invalid": "Enter the last day as a date (YYYY-MM-DD)."})
        self.order_fields(["period", "from", "to", "collection", "type", "term"])
        collections = authority.visible(user, Collection.objects.all()).order_by("path")
        self.fields["collection"].queryset = collections  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.known_params is not None:
            unknown = sorted(set(self.data) - self.known_params)
            if unknown:
                raise forms.ValidationError(f"Unknown filter: {', '.join(unknown)}. Reports take period, from, to, "
                                            "collection, type and term.")
        first, last = cleaned.get("from"), cleaned.get("to")
        period = cleaned.get("period") or (CUSTOM if first or last else DEFAULT_PERIOD)
        if "period" in self.errors:
            return cleaned
        cleaned["period"] = period
        if period != CUSTOM:
            return cleaned
        if first is None and "from" not in self.errors:
            self.add_error("from", "Give the first day of the period.")
        if last is None and "to" not in self.errors:
            self.add_error("to", "Give the last day of the period.")
        if first and last:
            if last < first:
                self.add_error("to", "The period ends before it starts: choose a last day on or after the first.")
            elif last > _years_later(first, MAX_YEARS):
                self.add_error("to", f"A report covers at most {MAX_YEARS} years: choose a shorter period.")
        return cleaned

    def report_query(self) -> ReportQuery:
        """The query of a valid form."""
        data = self.cleaned_data
        filters = {"collection_id": data["collection"].pk if data.get("collection") else None,
                   "type": data.get("type") or None, "term_id": data["term"].pk if data.get("term") else None}
        if data["period"] in PRESET_DAYS:
            return ReportQuery.last(PRESET_DAYS[data["period"]], **filters)
        zone = timezone.get_current_timezone()
        start = dt.datetime.combine(data["from"], dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(data["to"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return ReportQuery(start=start, end=end, period=CUSTOM, **filters)
