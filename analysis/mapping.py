"""Raw labels (what a model calls what it sees) onto the controlled vocabulary, as suggested terms.

In this order, each label taking the first that answers:
1. a librarian's mapping of that label (LabelMapping: "map to another term" on a suggestion);
2. the same words as any label of an active term: preferred, synonyms, hidden labels, in every language,
   compared case- and accent-insensitively (taxonomy.models.normalize_label), singular or plural;
3. by meaning, where a text-embedding model is installed (analysis.meaning): the nearest term label above
   MEANING_FLOOR, its confidence the label's times the similarity. English only, so it comes last.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from analysis.analysers.base import Unavailable
from analysis.models import LabelMapping, TermSuggestion
from taxonomy.models import Term, TermLabel, normalize_label

logger = logging.getLogger(__name__)

# Cosine similarity below which a label is not taken to mean a term (measured in bench/analysis.py).
MEANING_FLOOR = 0.6


@dataclass(frozen=True)
class RawLabel:
    text: str
    confidence: float
    analyser: str
    # Other names the model gives the same thing ("tabby, tabby cat"): any of them may match a term.
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Candidate:
    term_id: int
    raw_label: str
    analyser: str
    confidence: float
    match: str  # TermSuggestion.Match


def _forms(text: str) -> set[str]:
    """The label normalised, and its naive singular or plural, so "shoes" finds the term "Shoe"."""
    norm = normalize_label(text)
    if not norm:
        return set()
    forms = {norm}
    if norm.endswith("s") and len(norm) > 3:
        forms.add(norm[:-1])
    else:
        forms.add(norm + "s")
    return forms


def candidates(labels: Iterable[RawLabel], *, by_meaning: bool = True) -> list[Candidate]:
    """The terms these labels suggest, the best confidence per term."""
    labels = [label for label in labels if label.text.strip()]
    best: dict[int, Candidate] = {}

    def offer(candidate: Candidate) -> None:
        if candidate.term_id not in best or candidate.confidence > best[candidate.term_id].confidence:
            best[candidate.term_id] = candidate

    names = {label: {form for name in (label.text, *label.also) for form in _forms(name)} for label in labels}
    learnt = dict(LabelMapping.objects.filter(
        normalized_label__in={normalize_label(n) for label in labels for n in (label.text, *label.also)},
        term__status=Term.Status.ACTIVE).values_list("normalized_label", "term_id"))
    by_label: dict[str, set[int]] = {}
    for norm, term_id in TermLabel.objects.filter(
            normalized__in={f for forms in names.values() for f in forms},
            term__status=Term.Status.ACTIVE).values_list("normalized", "term_id"):
        by_label.setdefault(norm, set()).add(term_id)
    unmatched = []
    for label in labels:
        mapped = [learnt[normalize_label(n)] for n in (label.text, *label.also) if normalize_label(n) in learnt]
        for term_id in mapped:
            offer(Candidate(term_id, label.text, label.analyser, label.confidence, TermSuggestion.Match.LEARNT))
        matched = {term_id for form in names[label] for term_id in by_label.get(form, ())}
        for term_id in matched:
            offer(Candidate(term_id, label.text, label.analyser, label.confidence, TermSuggestion.Match.LABEL))
        if not mapped and not matched:
            unmatched.append(label)
    if by_meaning and unmatched:
        for candidate in _by_meaning(unmatched):
            offer(candidate)
    return sorted(best.values(), key=lambda c: -c.confidence)


def _by_meaning(labels: list[RawLabel]) -> list[Candidate]:
    """Labels no term carries, matched to the nearest term label by a text-embedding model, if one is installed."""
    try:
        from analysis import meaning
    except ImportError:
        return []
    try:
        terms: dict[int, list[str]] = {}
        for term_id, text in TermLabel.objects.filter(term__status=Term.Status.ACTIVE).exclude(
                kind=TermLabel.Kind.HIDDEN).values_list("term_id", "text"):
            terms.setdefault(term_id, []).append(text)
        found = meaning.nearest([label.text for label in labels], terms, MEANING_FLOOR)
    except Unavailable:
        return []
    except Exception:  # the meaning model is an extra: the exact matches stand without it
        logger.exception("Matching labels to terms by meaning failed; only exact label matches are suggested.")
        return []
    out = []
    for label in labels:
        if label.text in found:
            term_id, similarity = found[label.text]
            out.append(Candidate(term_id, label.text, label.analyser, round(label.confidence * similarity, 4),
                                 TermSuggestion.Match.MEANING))
    return out
