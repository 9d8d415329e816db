"""A panel's rows made ready for a page or an e-mail: human cells, links, and the chart's data.

Everything here works on the rows `report()` already returned: no query per row, so a template that
shows a panel runs none.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from analytics import display
from analytics.charts import chart_data

# Link targets of the rows' ids: asset rows carry `uid`, collection rows `collection_id`, term rows `term_id`.
_LINKS = {"uid": "assets:detail", "collection_id": "assets:collection_detail", "term_id": "taxonomy:term"}
# The column a row's link is put on (the first of these the panel shows).
_LINKED_COLUMNS = ("title", "collection", "name", "term", "label")


@dataclass
class Cell:
    text: str
    url: str = ""
    number: bool = False


@dataclass
class Row:
    cells: list[Cell]
    uid: str = ""


@dataclass
class Shown:
    """One panel as shown: its title, column labels, the rows' cells, and a chart's data (or None)."""
    name: str
    title: str
    labels: list[str]
    rows: list[Row]
    total: int
    chart: dict | None = None

    @property
    def more(self) -> int:
        """How many rows were left out of `rows` (shown in the exports only)."""
        return self.total - len(self.rows)


def present(panel: Any, rows: list[dict[str, Any]], *, limit: int | None = None,
            days: list[str] | None = None) -> Shown:
    shown_rows = rows if limit is None else rows[:limit]
    keys = [key for key, _ in panel.columns]
    linked = next((key for key in _LINKED_COLUMNS if key in keys), keys[0] if keys else "")
    cells = []
    for row in shown_rows:
        url = _link(row)
        cells.append(Row([Cell(display.cell(key, row.get(key)), url if key == linked else "",
                               isinstance(row.get(key), (int, float)) and not isinstance(row.get(key), bool))
                          for key in keys], uid=str(row.get("uid") or "")))
    return Shown(name=panel.name, title=panel.title, labels=[_label(key, label) for key, label in panel.columns],
                 rows=cells,
                 total=len(rows), chart=chart_data(panel.chart, panel.columns, rows, days))


def _link(row: dict[str, Any]) -> str:
    for key, url_name in _LINKS.items():
        if row.get(key) not in (None, ""):
            try:
                return reverse(url_name, args=[row[key]])
            except NoReverseMatch:  # an id of an unexpected form: the row shows without a link
                return ""
    return ""


def _label(key: str, label: str) -> str:
    """A column's heading as shown: "(seconds)" and "(bytes)" go, since the cells say "3 h 05 min" and "2.1 GB"."""
    for unit, suffix in (("_s", " (seconds)"), ("_bytes", " (bytes)")):
        if key.endswith(unit) and label.endswith(suffix):
            return label[:-len(suffix)]
    return label
