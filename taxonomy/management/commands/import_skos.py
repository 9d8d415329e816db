"""manage.py import_skos FILE: load a SKOS vocabulary (Turtle, RDF/XML, N-Triples, JSON-LD, gzipped) or a CSV one."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from taxonomy import services, skos

STAGES = {"parse": "Parsing the file", "read": "Reading concepts", "write": "Writing terms"}


class Command(BaseCommand):
    help = ("Import a SKOS file (Turtle, RDF/XML, N-Triples, JSON-LD; .gz too) or a CSV of terms, or a newer "
            "release of one already imported. Validates first; changes nothing on errors.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=sorted(skos.FORMATS) + ["csv"], help="Default: from the extension")
        parser.add_argument("--external", choices=["keep", "drop"], default="keep",
                            help="References to concepts outside the file and the DAM: keep as links (default) "
                                 "or drop")
        parser.add_argument("--dry-run", action="store_true",
                            help="Report what the import would add, change, deprecate and remove; change nothing")
        parser.add_argument("--remove-missing", action="store_true",
                            help="The file is a whole release: terms it no longer has are deleted, or deprecated "
                                 "when assets use them")
        parser.add_argument("--scheme-uri", help="CSV, or RDF without a skos:ConceptScheme: the vocabulary's URI")
        parser.add_argument("--title", help="With --scheme-uri: the vocabulary's title")
        parser.add_argument("--language", default="en", help="With --scheme-uri: the main language (default en)")
        parser.add_argument("--warnings", action="store_true", help="List every warning, not only their summary")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        scheme = None
        if options["scheme_uri"]:
            scheme = (options["scheme_uri"], options["title"] or options["scheme_uri"], options["language"])
        elif options["format"] == "csv" or path.name.lower().removesuffix(".gz").endswith(".csv"):
            raise CommandError("A CSV import needs --scheme-uri (and --title).")
        bars: dict[str, tqdm] = {}

        def progress(stage: str, done: int, total: int) -> None:
            if options["verbosity"] == 0:
                return
            bar = bars.get(stage)
            if bar is None:
                for other in bars.values():
                    other.close()
                unit = " file" if stage == "parse" else " concepts"
                bar = bars[stage] = tqdm(total=total, desc=STAGES.get(stage, stage), unit=unit, file=sys.stderr,
                                         leave=False)
            bar.update(done - bar.n)

        try:
            skos.check_size(path.stat().st_size)
            result = services.vocabulary_import(
                data=path.read_bytes(), filename=path.name, actor=None, fmt=options["format"],
                external=options["external"], csv_scheme=scheme, remove_missing=options["remove_missing"],
                dry_run=options["dry_run"], progress=progress)
        except skos.SkosError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"Nothing was imported: {len(exc.problems)} problem(s).") from exc
        finally:
            for bar in bars.values():
                bar.close()
        if options["warnings"]:
            for warning in result.warnings:
                self.stderr.write(f"warning: {path.name}: {warning}")
        names = ", ".join(f"{v.title} <{v.uri}>" for v in result.vocabularies)
        head = "Dry run, nothing was changed. Importing would update" if result.dry_run else "Imported"
        self.stdout.write(self.style.SUCCESS(f"{head} {names}: {result.created} new term(s), "
                                             f"{len(result.changed_terms)} changed, {len(result.warnings)} "
                                             "warning(s)."))
        for line in result.summary():
            self.stdout.write(f"  {line}")
        for term in result.changed_terms[:50]:
            self.stdout.write(f"  changed: {term.label} <{term.uri}>: {', '.join(result.changes[term.uri])}")
        for term in result.deprecated_terms[:50]:
            self.stdout.write(f"  deprecated: {term.label} <{term.uri}>")
        for uri in result.removed[:50]:
            self.stdout.write(f"  removed: <{uri}>")
