"""How content analysis's audit events read (see accounts.audit.register)."""
from __future__ import annotations

from typing import Any

from accounts.audit import register


def _labels(terms: Any) -> str:
    if not isinstance(terms, list):
        return ""
    return ", ".join(f"“{t.get('label', '')}”" for t in terms if isinstance(t, dict))


def _applied(values: Any) -> str:
    labels = _labels(values["data"].get("terms"))
    terms = f"the automatic terms {labels}" if labels else "automatic terms"
    return f"{values['actor']} added {terms} found by content analysis"


def register_all() -> None:
    group = "Content analysis"
    register("analysis.terms.applied", _applied, label="Automatic terms applied", group=group)
    register("analysis.requested", "{actor} asked for version {version} to be analysed again",
             label="Analysis requested", group=group)
    register("analysis.suggestion.accepted", "{actor} accepted the suggested term “{term}”",
             label="Suggestion accepted", group=group, fields=[("label", "Found as"), ("confidence", "Confidence")])
    register("analysis.suggestion.accepted_everywhere",
             "{actor} accepted the suggested term “{term}” on every asset waiting for it ({count})",
             label="Suggestion accepted everywhere", group=group)
    register("analysis.suggestion.rejected", "{actor} rejected the suggested term “{term}”",
             label="Suggestion rejected", group=group, fields=[("label", "Found as")])
    register("analysis.suggestion.mapped", "{actor} mapped “{label}” to the term “{term}” instead of “{rejected}”",
             label="Label mapped to a term", group=group)
