"""A stand-in analyser for the tests of the framework around analysers (no model package needed).

It reads the file for real (its pixel size) and reports what the test put in OUTCOMES, so the tests
of mapping, suggestions, search and the job's records do not depend on what a model sees.
"""
from __future__ import annotations

from typing import ClassVar

from analysis.analysers.base import Label, Limits, ModelInfo, Outcome, Skipped, Source

OUTCOMES: dict[str, Outcome] = {}
CALLS: list[str] = []


class FakeAnalyser:
    slug: ClassVar[str] = "fake"
    title: ClassVar[str] = "A fake analyser"
    kinds: ClassVar[frozenset[str]] = frozenset({"image"})
    timeout: ClassVar[int] = 60

    def load(self) -> ModelInfo:
        return ModelInfo("fake-model", "1.0", "MIT", "0" * 64)

    def analyse(self, source: Source, limits: Limits) -> Outcome:
        image = source.image(256)  # decodes for real: a broken file is Skipped, as with the real analysers
        CALLS.append(f"{image.size[0]}x{image.size[1]}")
        outcome = OUTCOMES.get("next")
        if outcome is None:
            raise Skipped("nothing was set for the fake analyser")
        return outcome


def labels(*pairs: tuple[str, float]) -> list[Label]:
    return [Label(text, confidence) for text, confidence in pairs]
