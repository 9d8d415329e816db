"""The asset page's content-analysis panel ({% load analysis %}{% asset_analysis_panel asset %}), read here so the
assets app, below analysis in the import order, need not know about it; and the small filters its templates use.

Everyone who sees the asset sees what analysis found in the version they see (text, barcodes, the transcript, how
many faces). Suggested terms are shown to those the suggestion policy lets see them (editors, librarians, an owner
on their drafts), with buttons for those who may decide; face boxes only to those who may edit the asset, for a
privacy review.
"""
from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from accounts import permissions as authority
from accounts.permissions import Cap
from analysis import selectors
from analysis.models import AnalysisRun, TermSuggestion
from analysis.selectors import analysers_overview as overview
from assets.selectors import version_shown_to

register = template.Library()

# Lines of found text shown before "Show all".
OCR_PREVIEW_LINES = 3


@register.filter
def timestamp(seconds: Any) -> str:
    """Seconds as m:ss (or h:mm:ss), as a player shows them."""
    try:
        total = int(float(seconds))
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def percent(value: Any) -> str:
    """A confidence in 0..1 as "91%"."""
    try:
        return f"{round(float(value) * 100)}%"
    except (TypeError, ValueError):
        return ""


@register.filter
def duration(ms: Any) -> str:
    """How long a run took, for people: "6 ms", "0.4 s", "12 s", "3 min 5 s"."""
    if ms is None:
        return ""
    if int(ms) < 100:
        return f"{int(ms)} ms"
    seconds = int(ms) / 1000
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def _done_summary(run: AnalysisRun) -> str:
    """"in 0.4 s with EfficientNet-Lite0 0.1.0, 7 Dec 2026 20:32", leaving out what was not recorded."""
    text = " ".join(filter(None, [
        f"in {duration(run.duration_ms)}" if run.duration_ms is not None else "",
        f"with {run.model_name} {run.model_version}".strip() if run.model_name else ""]))
    if run.finished_at:
        when = date_format(timezone.localtime(run.finished_at), "j M Y H:i")
        text = f"{text}, {when}" if text else when
    return text


def _run_view(run: AnalysisRun, titles: dict[str, str], *, may_edit: bool) -> dict[str, Any]:
    """One analyser's record, with what the template shows of its result."""
    data = run.data if isinstance(run.data, dict) else {}
    lines = [line for line in run.text.splitlines() if line.strip()]
    faces = [face for face in data.get("faces", []) if isinstance(face, dict) and len(face.get("box", ())) == 4]
    return {
        "run": run, "slug": run.analyser, "title": titles.get(run.analyser, run.analyser.capitalize()),
        "done": run.status == AnalysisRun.Status.DONE, "summary": _done_summary(run),
        "waiting": run.status in (AnalysisRun.Status.QUEUED, AnalysisRun.Status.RUNNING),
        "labels": run.labels[:8] if run.analyser == "labels" else [],
        "text_lines": lines, "text_preview": lines[:OCR_PREVIEW_LINES], "text_more": len(lines) > OCR_PREVIEW_LINES,
        "codes": data.get("codes", []) if run.analyser == "barcodes" else [],
        "face_count": data.get("count", len(faces)) if run.analyser == "faces" else None,
        # Boxes are normalised [x0, y0, x1, y1]; the template places them in percent over the preview.
        "face_boxes": [{"left": b[0] * 100, "top": b[1] * 100, "width": (b[2] - b[0]) * 100,
                        "height": (b[3] - b[1]) * 100, "confidence": face.get("confidence")}
                       for face in faces for b in [face["box"]]] if may_edit else [],
        "segments": [s for s in data.get("segments", []) if isinstance(s, dict)] if run.analyser == "transcript"
        else [],
    }


@register.inclusion_tag("analysis/_panel.html", takes_context=True)
def asset_analysis_panel(context: dict[str, Any], asset: Any) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    if not authority.can(user, "view", asset):
        return {"shown": False}
    analysers = overview()
    titles = {a.slug: a.title for a in analysers}
    may_edit = authority.can(user, "edit", asset)
    runs = [_run_view(run, titles, may_edit=may_edit) for run in selectors.runs_for(user, asset)]
    suggestions = list(selectors.suggestions_for(user, asset))
    may_decide = bool(suggestions) and authority.can(user, "decide", suggestions[0])
    version = version_shown_to(user, asset)
    preview = version.renditions.filter(preset="preview", variant="", status="ready").exists() if version else False
    media = version is not None and version.mime_type.split("/")[0] in ("video", "audio")
    return {
        "shown": True, "asset": asset, "request": request, "csrf_token": context.get("csrf_token"),
        "on": any(a.on for a in analysers), "is_admin": authority.can(user, Cap.ADMINISTER),
        "may_edit": may_edit, "may_decide": may_decide, "version": version, "has_preview": preview,
        "media_kind": version.mime_type.split("/")[0] if media and version else "",
        "runs": runs, "face_runs": [r for r in runs if r["face_boxes"]],
        "pending": [s for s in suggestions if s.status == TermSuggestion.Status.PENDING],
        "applied": [s for s in suggestions if s.status == TermSuggestion.Status.APPLIED],
        "accepted": [s for s in suggestions if s.status == TermSuggestion.Status.ACCEPTED],
        "rejected": [s for s in suggestions if s.status == TermSuggestion.Status.REJECTED],
        "products": selectors.products_for(user, asset), "seen_in": selectors.seen_in(user, asset),
    }


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template, None when absent."""
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def any_automatic(term_links: Any) -> bool:
    """Whether any of an asset's term links was put on by content analysis (the page then explains the mark)."""
    return any(getattr(link, "source", "") == "auto" for link in term_links or ())
