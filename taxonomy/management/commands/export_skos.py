"""manage.py export_skos VOCABULARY [--format turtle|xml|nt|jsonld|csv] [-o FILE[.gz]]: print a vocabulary."""
from __future__ import annotations

import gzip
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from taxonomy import skos, vocabulary_csv
from taxonomy.models import Vocabulary


class Command(BaseCommand):
    help = "Print a vocabulary (given by its URI or id) as SKOS Turtle, RDF/XML, N-Triples, JSON-LD, or CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("vocabulary", help="The scheme URI or the vocabulary's id")
        parser.add_argument("--format", choices=[*skos.EXPORTS, "csv"], default="turtle")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output (a name ending "
                                                   "in .gz writes it gzip-compressed)")

    def handle(self, *args: Any, **options: Any) -> None:
        ref = options["vocabulary"]
        vocabulary = (Vocabulary.objects.filter(pk=int(ref)) if ref.isdigit() else
                      Vocabulary.objects.filter(uri=ref)).first()
        if vocabulary is None:
            known = ", ".join(Vocabulary.objects.values_list("uri", flat=True)[:10]) or "none"
            raise CommandError(f"No vocabulary {ref!r}. Known: {known}")
        fmt = options["format"]
        text = vocabulary_csv.vocabulary_csv(vocabulary) if fmt == "csv" else skos.serialize(vocabulary, fmt)
        if options["output"] and options["output"].endswith(".gz"):
            with gzip.open(options["output"], "wt", encoding="utf-8") as out:
                out.write(text)
        elif options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text)
