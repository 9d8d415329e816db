"""What a panel's chart draws: the rows' numbers that the panel is about."""
from __future__ import annotations

from analytics.charts import chart_data
from analytics.selectors import PANELS


def test_time_to_approval_is_drawn_as_durations_not_as_how_many_approvals():
    panel = PANELS["approval_times"]
    rows = [{"policy": "Default", "step": "Editorial check", "reviewer_group": "Editor", "count": 7,
             "median_s": 5400, "p90_s": 86400},
            {"policy": "Default", "step": "Brand sign-off", "reviewer_group": "Brand manager", "count": 3,
             "median_s": 7200, "p90_s": 172800}]
    data = chart_data(panel.chart, panel.columns, rows)
    assert data is not None and data["unit"] == "seconds"
    assert [(d["label"], d["data"]) for d in data["datasets"]] == [
        ("Median", [5400, 7200]), ("90th percentile", [86400, 172800])]
    assert data["labels"] == ["Default · Editorial check · Editor", "Default · Brand sign-off · Brand manager"]


def test_a_count_panel_is_drawn_by_its_count():
    panel = PANELS["top_collections"]
    keys = [key for key, _ in panel.columns]
    rows = [{key: ("Brand" if key not in ("count", "id") else 4) for key in keys}]
    data = chart_data(panel.chart or "bar", panel.columns, rows)
    assert data is not None and data["unit"] == "" and data["datasets"][0]["data"] == [4]
