"""Any report panel as a spreadsheet: CSV (dam.spreadsheets' safe cells) or an XLSX workbook (openpyxl).

Both take the panel's columns, `[(key, human label), ...]`, and its rows (dicts by key), so the file
has the page's column headings in the page's order. A text cell that a spreadsheet would run as a
formula (`=HYPERLINK(...)` as an asset title or a search query) stays text: the CSV gets
dam.spreadsheets' leading apostrophe, the workbook stores the cell with the string type, which
Excel and LibreOffice show as written and never evaluate.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from dam import spreadsheets

Columns = Sequence[tuple[str, str]]

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Excel's own limit on a sheet's name, and the characters it refuses in one.
_SHEET_NAME_MAX = 31
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def csv_text(columns: Columns, rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows as CSV under the columns' labels; every cell quoted, formulas neutralised."""
    labels = [label for _, label in columns]
    return spreadsheets.write(labels, ({label: _plain(row.get(key)) for key, label in columns} for row in rows))


def xlsx_bytes(sheets: Iterable[tuple[str, Columns, Iterable[Mapping[str, Any]]]]) -> bytes:
    """A workbook with one sheet per (title, columns, rows): a bold heading row, then the rows."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for title, columns, rows in sheets:
        sheet = book.create_sheet(_sheet_name(title, taken=book.sheetnames))
        sheet.append([label for _, label in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        widths = [len(label) for _, label in columns]
        for row in rows:
            values = [_xlsx_value(row.get(key)) for key, _ in columns]
            sheet.append(values)
            for index, value in enumerate(values):
                if isinstance(value, str) and spreadsheets.safe_cell(value) != value:
                    sheet.cell(row=sheet.max_row, column=index + 1).data_type = "s"  # text, never a formula
                widths[index] = max(widths[index], min(len(str(value or "")), 60))
        for index, width in enumerate(widths):
            sheet.column_dimensions[get_column_letter(index + 1)].width = width + 2
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(panel_name: str, start: dt.datetime, end: dt.datetime, extension: str) -> str:
    """`top_assets-2026-01-01-to-2026-01-31.csv`: what, and over which days."""
    return f"{panel_name}-{start:%Y-%m-%d}-to-{end:%Y-%m-%d}.{extension}"


def _plain(value: Any) -> Any:
    """A cell's text for CSV: dates as ISO 8601, nothing as an empty cell."""
    if value is None:
        return ""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return value


def _xlsx_value(value: Any) -> Any:
    """A value openpyxl stores as it is: numbers and dates typed, aware datetimes in UTC (XLSX has no zones)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return value


def _sheet_name(title: str, *, taken: list[str]) -> str:
    base = _SHEET_NAME_BAD.sub(" ", title).strip()[:_SHEET_NAME_MAX] or "Report"
    name, n = base, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[:_SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    return name
