"""manage.py fixity_check [--collection C] [--sample N] [--json]: read the stored originals and compare
each one's SHA-256 with the one recorded at ingest. Exit 1 when anything is changed, missing or untracked,
2 when the run could not finish (the store failed), 0 when everything checked is intact."""
from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from archive.fixity import selectors, services
from archive.models import FixityProblem, FixityRun
from dam.errors import StateConflict


def _positive(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise CommandError(f"--sample takes a whole number of originals, 1 or more (got {value!r}).")
    return number


class Command(BaseCommand):
    help = ("Read every stored original (or a folder's, or the N least recently checked), stream its SHA-256 "
            "and compare it with the one recorded at ingest; list changed, missing and untracked files. "
            "Exit status 1 when anything is wrong, 2 when the check could not finish.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--collection", help="Only this folder and its sub-folders: its id or its path of "
                                                 "names (Library/Campaigns/2026).")
        parser.add_argument("--sample", type=str, help="Only the N least recently checked originals.")
        parser.add_argument("--json", action="store_true", help="Print the outcome as JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        collection = None
        if options["collection"]:
            collection = selectors.collection_named(options["collection"])
            if collection is None:
                raise CommandError(f"No collection {options['collection']!r}.")
        sample = _positive(options["sample"]) if options["sample"] is not None else None
        try:
            run = services.fixity_check(actor=None, trigger=FixityRun.Trigger.COMMAND, collection=collection,
                                        sample=sample)
        except StateConflict as exc:
            raise CommandError(str(exc)) from None
        problems = list(selectors.run_problems(run))
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(run, problems), indent=2))
        else:
            for problem in problems:
                self.stdout.write(_line(problem))
            self.stdout.write(services.summary(run))
        if run.state == FixityRun.State.INCOMPLETE:
            raise SystemExit(2)
        if problems:
            raise SystemExit(1)


def _uids(problems: list[FixityProblem], kind: str) -> list[str]:
    return list(dict.fromkeys(str(p.version.asset.uid) for p in problems if p.kind == kind and p.version))


def _as_json(run: FixityRun, problems: list[FixityProblem]) -> dict[str, Any]:
    return {"checked": run.checked,
            "changed": _uids(problems, FixityProblem.Kind.CHANGED),
            "missing": _uids(problems, FixityProblem.Kind.MISSING),
            "untracked": [p.key for p in problems if p.kind == FixityProblem.Kind.UNTRACKED],
            "run": run.pk, "state": run.state, "error": run.error or None}


def _line(problem: FixityProblem) -> str:
    if problem.kind == FixityProblem.Kind.UNTRACKED:
        return f"untracked  {problem.key} (no version owns it)"
    version = problem.version
    what = f"asset {version.asset.uid} v{version.number}" if version else problem.key
    if problem.kind == FixityProblem.Kind.MISSING:
        return f"missing    {what}: {problem.key} is not in the store"
    return f"changed    {what}: expected sha256 {problem.expected}, found {problem.actual}"
