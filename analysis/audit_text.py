"""How content analysis's audit events read (see accounts.audit.register)."""
from __future__ import annotations

from typing import Any

from accounts.audit import register


def _labels(terms: Any) -> str:
    if not isinstance(terms, list):
        return ""
    return ", ".join(f"“{t.get('label', '')}”" for t in terms if isinstance(t, dict))


def register_all() -> None:
    group = "Content analysis"
    register("analysis.terms.applied",
             lambda v: f"Content analysis added the automatic terms {_labels(v['data'].get('terms'))}",
             label="Automatic terms applied", group=group)
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
