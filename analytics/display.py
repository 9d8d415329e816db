"""How a report's cells read to people, on the page and in the digest: sentences and units, never codes.

Rows from the selectors carry raw values (seconds, bytes, ISO dates, channel and state codes) so that
the API and the spreadsheets stay exact; this turns one cell into what a person reads, by its column key.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from assets.models import ReviewState
from taxonomy.models import AssetType

CHANNELS = {
    "user": "Signed-in users",
    "share_link": "Share links",
    "delivery": "Delivery URLs",
    "integration": "Picker and integrations",
}
_CODES: dict[str, dict[str, str]] = {
    "channel": CHANNELS,
    "type": dict(AssetType.choices),
    "asset_type": dict(AssetType.choices),
    "state": dict(ReviewState.choices),
    "review_state": dict(ReviewState.choices),
}


def label(key: str, value: Any) -> str:
    """A coded value's human label ("share_link" as "Share links"), or the value as text."""
    if value is None or value == "":
        return "—"
    return _CODES.get(key, {}).get(str(value), str(value))


def cell(key: str, value: Any) -> str:
    """One cell as text: durations for `*_s`, sizes for `*_bytes`, dates, shares as percentages, labels."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if key.endswith("_s") and isinstance(value, (int, float)):
        return duration(value)
    if key.endswith("_bytes") and isinstance(value, (int, float)):
        return filesizeformat(value)
    if key.endswith("_share") and isinstance(value, (int, float)):
        return f"{value * 100:.0f} %" if value <= 1 else f"{value:.0f} %"
    when = _as_datetime(value)
    if when is not None:
        return f"{when:%Y-%m-%d %H:%M}" if isinstance(when, dt.datetime) else f"{when:%Y-%m-%d}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value) or "—"
    return label(key, value)


def duration(seconds: float) -> str:
    """A waiting or approval time in words: "45 s", "12 min", "3 h 05 min", "4 days 2 h"."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} day{'s' if days != 1 else ''} {hours} h"


def _as_datetime(value: Any) -> dt.date | None:
    """A date or datetime, also from ISO text as the selectors' JSON-able rows carry them."""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value) if timezone.is_aware(value) else value
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        parsed = parse_datetime(value) if len(value) > 10 else None
        if parsed is not None:
            return timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed
        try:
            return parse_date(value[:10]) if len(value) == 10 else None
        except ValueError:
            return None
    return None
