"""manage.py import_skos FILE: load a SKOS vocabulary (Turtle, RDF/XML) or a CSV one."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taxonomy import services, skos


class Command(BaseCommand):
    help = "Import a SKOS file (Turtle or RDF/XML) or a CSV of terms. Validates first; changes nothing on errors."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", choices=sorted(skos.FORMATS) + ["csv"], help="Default: from the extension")
        parser.add_argument("--external", choices=["keep", "drop"], default="keep",
                            help="References to concepts outside the DAM: keep as URIs (default) or drop")
        parser.add_argument("--scheme-uri", help="CSV only: the vocabulary's URI")
        parser.add_argument("--title", help="CSV only: the vocabulary's title")
        parser.add_argument("--language", default="en", help="CSV only: the main language (default en)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        csv_scheme = None
        if options["format"] == "csv" or path.suffix.lower() == ".csv":
            if not options["scheme_uri"]:
                raise CommandError("A CSV import needs --scheme-uri (and --title).")
            csv_scheme = (options["scheme_uri"], options["title"] or options["scheme_uri"], options["language"])
        try:
            result = services.vocabulary_import(data=path.read_bytes(), filename=path.name, actor=None,
                                                fmt=options["format"], external=options["external"],
                                                csv_scheme=csv_scheme)
        except skos.SkosError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(f"Nothing was imported: {len(exc.problems)} problem(s).") from exc
        for warning in result.warnings:
            self.stderr.write(f"warning: {path.name}: {warning}")
        names = ", ".join(f"{v.title} <{v.uri}>" for v in result.vocabularies)
        self.stdout.write(self.style.SUCCESS(
            f"Imported {names}: {result.created} new term(s), {result.updated} updated, "
            f"{len(result.warnings)} warning(s)."))
