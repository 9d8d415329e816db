"""A panel's rows as the data of one Chart.js chart (static/js/analytics.js draws it).

Rows over time (a `day` column) become a line per series: per value of the panel's one text column
("channel": signed-in users, share links, ...) when it has one, else per numeric column (originals and
renditions). Other rows become one bar or doughnut slice each, labelled by their text columns and sized
by their count. The data is the rows themselves, so the chart and its "Show as table" agree.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from analytics import display

# The number a bar or a slice shows, in order of preference.
_MEASURES = ("count", "total", "downloads", "assets")
_HIDDEN = {"uid", "id", "url"}


def chart_data(chart: str | None, columns: Sequence[tuple[str, str]], rows: list[dict[str, Any]],
               days: list[str] | None = None) -> dict | None:
    """{"type", "labels", "datasets": [{"label", "data"}], "unit"} or None (no chart, or nothing to draw).

    `days` (ISO dates) are the x axis of a chart over time, so days without rows show as 0 rather than
    being left out; without it the axis has the rows' days only."""
    if not chart or not rows:
        return None
    keys = [key for key, _ in columns if key not in _HIDDEN]
    numeric = [key for key in keys if all(isinstance(row.get(key), (int, float)) and not isinstance(
        row.get(key), bool) for row in rows)]
    unit = "bytes" if numeric and all(key.endswith("_bytes") for key in numeric) else ""
    if "day" in keys:
        return {"type": chart, "unit": unit, **_over_time(columns, keys, numeric, rows, days)}
    texts = [key for key in keys if key not in numeric]
    labels = [" · ".join(display.cell(key, row.get(key)) for key in texts) or "—" for row in rows]
    # Durations (median and p90 of time to approval) are what such a chart is about, not how many there were.
    durations = [key for key in numeric if key.endswith("_s")]
    if durations:
        names = {key: _unitless(label) for key, label in columns}
        return {"type": chart, "unit": "seconds", "labels": labels,
                "datasets": [{"label": names[key], "data": [row[key] for row in rows]} for key in durations]}
    measure = next((key for key in _MEASURES if key in numeric), numeric[0] if numeric else None)
    if measure is None:
        return None
    title = dict(columns)[measure]
    return {"type": chart, "unit": unit, "labels": labels,
            "datasets": [{"label": title, "data": [row[measure] for row in rows]}]}


def _over_time(columns: Sequence[tuple[str, str]], keys: list[str], numeric: list[str],
               rows: list[dict[str, Any]], days: list[str] | None) -> dict:
    days = sorted(set(days or []) | {str(row["day"])[:10] for row in rows})
    series_key = next((key for key in keys if key not in numeric and key != "day"), None)
    if series_key is not None and numeric:
        measure = next((key for key in _MEASURES if key in numeric), numeric[0])
        totals: dict[str, dict[str, float]] = {}
        for row in rows:
            series = totals.setdefault(str(row.get(series_key)), {})
            day = str(row["day"])[:10]
            series[day] = series.get(day, 0) + row[measure]
        datasets = [{"label": display.label(series_key, name), "data": [values.get(day, 0) for day in days]}
                    for name, values in sorted(totals.items())]
    else:
        labels = {key: _unitless(label) for key, label in columns}
        by_day = {str(row["day"])[:10]: row for row in rows}
        # A level (storage used), not a count: a day without a row has no value, rather than zero.
        datasets = [{"label": labels[key], "data": [by_day[day].get(key) if day in by_day else None for day in days]}
                    for key in numeric]
    return {"labels": days, "datasets": datasets}


def _unitless(label: str) -> str:
    """"Originals (bytes)" as "Originals": the chart's axis says the unit, in KB, MB or GB."""
    return label.removesuffix(" (bytes)").removesuffix(" (seconds)")
