"""Embedded metadata as a person reads it: labelled fields with formatted values (1/1850 s, f/2.8,
14 Aug 2022 14:12), not the raw EXIF tags and numbers ingest stores (ingest/metadata.py)."""
from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.utils.dateformat import format as date_format

# The mapped fields (ingest.metadata._mapped) in the order a caption reads, with their labels.
MAPPED_LABELS = {"title": "Title", "headline": "Headline", "description": "Caption", "creator": "Creator",
                 "rights_holder": "Copyright", "usage_terms": "Usage terms", "date_taken": "Taken",
                 "city": "City", "state": "State or province", "country": "Country"}
# EXIF dates are "2022:08:14 14:12:05"; IPTC and XMP ones ISO 8601 ("2022-08-14T14:12:05+02:00", "2022-08-14").
_DATE = re.compile(r"^(\d{4})[:-](\d{2})[:-](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?")


def taken_at(value: Any) -> str:
    """An EXIF, IPTC or XMP date as "14 Aug 2022 14:12" (or "14 Aug 2022"); anything unreadable as it is."""
    match = _DATE.match(str(value).strip())
    if not match:
        return str(value)
    year, month, day, hour, minute = (int(g) if g else None for g in match.groups()[:5])
    try:
        if hour is None:
            return date_format(date(year, month, day), "j M Y")  # type: ignore[arg-type]
        return date_format(datetime(year, month, day, hour, minute or 0), "j M Y H:i")  # type: ignore[arg-type]
    except ValueError:  # "0000:00:00 00:00:00", which some cameras write when their clock was never set
        return str(value)


def exposure(seconds: Any) -> str:
    """An exposure time as photographers write it: 1/1850 s, 0.5 s, 2 s."""
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return str(seconds)
    if value <= 0:
        return str(seconds)
    if value < 0.5:
        return f"1/{round(1 / value)} s"
    return f"{round(value, 1):g} s"


def _number(value: Any) -> str:
    """12.0 -> "12", 7.1 -> "7.1"."""
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def _text(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def camera_fields(camera: dict[str, Any]) -> list[tuple[str, str]]:
    """The camera facts of a picture, labelled and formatted."""
    rows = []
    make, model = str(camera.get("Make") or "").strip(), str(camera.get("Model") or "").strip()
    if make or model:
        # "Canon" + "Canon EOS 40D" reads "Canon EOS 40D"; "NIKON CORPORATION" + "NIKON D70" reads "NIKON D70".
        first = make.split()[0].casefold() if make else ""
        rows.append(("Camera", model if first and model.casefold().startswith(first) else f"{make} {model}".strip()))
    if camera.get("LensModel"):
        rows.append(("Lens", str(camera["LensModel"])))
    if camera.get("ExposureTime") is not None:
        rows.append(("Exposure", exposure(camera["ExposureTime"])))
    if camera.get("FNumber") is not None:
        rows.append(("Aperture", f"f/{_number(camera['FNumber'])}"))
    if camera.get("ISOSpeedRatings") is not None:
        rows.append(("ISO", _text(camera["ISOSpeedRatings"])))
    if camera.get("FocalLength") is not None:
        rows.append(("Focal length", f"{_number(camera['FocalLength'])} mm"))
    return rows


def embedded_fields(embedded: dict[str, Any]) -> list[tuple[str, str]]:
    """A version's embedded metadata as labelled, formatted fields: the caption fields, then the camera's."""
    mapped = embedded.get("mapped") or {}
    rows = [(label, taken_at(mapped[key]) if key == "date_taken" else _text(mapped[key]))
            for key, label in MAPPED_LABELS.items() if mapped.get(key)]
    rows += [(key.replace("_", " ").capitalize(), _text(value)) for key, value in mapped.items()
             if key not in MAPPED_LABELS and value]
    return rows + camera_fields(embedded.get("camera") or {})
