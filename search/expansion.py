"""The vocabulary as the searcher needs it, computed from the term graph in one place and cached.

A query phrase matches a term when it equals any of the term's labels
(preferred, alternative or hidden, in any language) once normalised; the term
then stands for itself and all its narrower terms, transitively, so "footwear"
finds assets tagged "Running shoes".

The graph is loaded in a handful of queries and kept per process, tagged with
the number in the one-row VocabularyGeneration table. `invalidate()` (wired to
every vocabulary write, see search.signals) bumps that number in the
writer's transaction, so every process reloads on its first search after the
change commits. The number is read once per web request (dam.request_memo; on
every call outside one: jobs, commands), one primary-key lookup.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F

from dam import request_memo
from search.models import VocabularyGeneration
from search.text import tokens, trigrams
from taxonomy.models import Term, TermLabel
from taxonomy.models import Vocabulary as VocabularyModel

GENERATION_ROW = 1


@dataclass(frozen=True)
class TermInfo:
    id: int
    label: str
    vocabulary_id: int
    broader: tuple[int, ...]


@dataclass
class Vocabulary:
    """An immutable snapshot of every vocabulary's terms, labels and hierarchy."""

    terms: dict[int, TermInfo]
    vocabularies: dict[int, str]
    # label (as space-joined tokens) -> ids of the terms carrying it
    by_label: dict[str, frozenset[int]]
    # (label, term id) -> kinds of label it is for that term ("pref", "alt", "hidden")
    kinds: dict[tuple[str, int], frozenset[str]]
    children: dict[int, tuple[int, ...]]
    longest_label: int
    label_words: frozenset[str]
    # normalised non-hidden labels, the candidates for "did you mean" (hidden labels are misspellings)
    suggestable: frozenset[str]
    _closure: dict[int, frozenset[int]] = field(default_factory=dict)
    _rollup_pairs: tuple[tuple[int, int], ...] | None = None
    _grams: dict[str, frozenset[str]] = field(default_factory=dict)
    _gram_index: dict[str, list[str]] = field(default_factory=dict)

    def narrower_closure(self, term_id: int) -> frozenset[int]:
        """The term and all its narrower terms, transitively (cycle-safe)."""
        if term_id not in self._closure:
            seen = {term_id}
            stack = [term_id]
            while stack:
                for child in self.children.get(stack.pop(), ()):
                    if child not in seen:
                        seen.add(child)
                        stack.append(child)
            self._closure[term_id] = frozenset(seen)
        return self._closure[term_id]

    def rollup_pairs(self) -> tuple[tuple[int, int], ...]:
        """(narrower, broader) for every term that has narrower terms and each term of its closure, itself
        included: what counting "tagged with this term or a narrower one" joins a term link to."""
        if self._rollup_pairs is None:
            self._rollup_pairs = tuple(
                (narrower, broader) for broader in sorted(self.terms)
                if len(closure := self.narrower_closure(broader)) > 1 for narrower in sorted(closure))
        return self._rollup_pairs

    def expand(self, term_ids: frozenset[int] | set[int]) -> frozenset[int]:
        out: set[int] = set()
        for term_id in term_ids:
            out |= self.narrower_closure(term_id)
        return frozenset(out)

    def close_labels(self, word: str, threshold: float, limit: int) -> list[str]:
        """Suggestable labels with pg_trgm similarity >= threshold to `word`, best first.

        Only labels sharing a trigram with the word are scored (an inverted index built on
        first use), so this costs microseconds, not a pass over every label.
        """
        if not self._grams:
            for text in self.suggestable:
                grams = frozenset(trigrams(text))
                self._grams[text] = grams
                for gram in grams:
                    self._gram_index.setdefault(gram, []).append(text)
        wanted = trigrams(word)
        candidates = {text for gram in wanted for text in self._gram_index.get(gram, ())}
        scored = []
        for text in candidates:
            grams = self._grams[text]
            score = len(wanted & grams) / len(wanted | grams)
            if score >= threshold:
                scored.append((score, text))
        return [text for _, text in sorted(scored, key=lambda x: (-x[0], x[1]))[:limit]]

    def ancestors(self, term_id: int) -> set[int]:
        seen: set[int] = set()
        stack = list(self.terms[term_id].broader) if term_id in self.terms else []
        while stack:
            parent = stack.pop()
            if parent not in seen and parent in self.terms:
                seen.add(parent)
                stack.extend(self.terms[parent].broader)
        return seen


def _load() -> Vocabulary:

    vocabularies = dict(VocabularyModel.objects.values_list("pk", "title"))
    broader: dict[int, list[int]] = defaultdict(list)
    children: dict[int, list[int]] = defaultdict(list)
    for narrower_id, broader_id in Term.broader.through.objects.values_list("from_term_id", "to_term_id"):
        broader[narrower_id].append(broader_id)
        children[broader_id].append(narrower_id)
    terms: dict[int, TermInfo] = {}
    by_label: dict[str, set[int]] = defaultdict(set)
    kinds: dict[tuple[str, int], set[str]] = defaultdict(set)
    for pk, label, vocabulary_id in Term.objects.values_list("pk", "label", "vocabulary_id"):
        terms[pk] = TermInfo(pk, label, vocabulary_id, tuple(broader.get(pk, ())))
        key = " ".join(tokens(label))
        if key:
            by_label[key].add(pk)
            kinds[(key, pk)].add(TermLabel.Kind.PREFERRED)
    suggestable: set[str] = set()
    for term_id, text, normalized, kind in TermLabel.objects.values_list("term_id", "text", "normalized", "kind"):
        key = " ".join(tokens(text))
        if key and term_id in terms:
            by_label[key].add(term_id)
            kinds[(key, term_id)].add(kind)
            if kind != TermLabel.Kind.HIDDEN:
                suggestable.add(normalized)
    return Vocabulary(
        terms=terms, vocabularies=vocabularies,
        by_label={k: frozenset(v) for k, v in by_label.items()},
        kinds={k: frozenset(v) for k, v in kinds.items()},
        children={k: tuple(v) for k, v in children.items()},
        longest_label=max((len(k.split()) for k in by_label), default=1),
        label_words=frozenset(w for k in by_label for w in k.split()),
        suggestable=frozenset(suggestable),
    )


_lock = threading.Lock()
_memo: tuple[int, Vocabulary] | None = None


def _generation() -> int:
    # A missing row (a test database flushed after migrating) reads as 0; invalidate() creates it.
    return request_memo.remember("search.vocabulary-generation", lambda: (
        VocabularyGeneration.objects.filter(pk=GENERATION_ROW).values_list("number", flat=True).first() or 0))


def current() -> Vocabulary:
    """The process's vocabulary snapshot, reloaded when the generation has moved since it was taken."""
    global _memo
    generation = _generation()
    memo = _memo
    if memo is not None and memo[0] == generation:
        return memo[1]
    with _lock:
        vocabulary = _load()
        _memo = (generation, vocabulary)
    return vocabulary


def invalidate(**_: object) -> None:
    """Bump the generation in the caller's transaction, so every process reloads once it commits.

    Connected to vocabulary writes and taxonomy.signals.vocabulary_changed.
    """
    global _memo
    bumped = VocabularyGeneration.objects.filter(pk=GENERATION_ROW).update(number=F("number") + 1)
    if not bumped:
        VocabularyGeneration.objects.get_or_create(pk=GENERATION_ROW, defaults={"number": 1})
    _memo = None
    request_memo.forget()
