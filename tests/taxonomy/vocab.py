"""A vocabulary of realistic shape, written as SKOS Turtle in the canonical form the DAM exports.

About 400 concepts over four levels (subjects → topics → kinds → varieties), with synonyms,
misspellings, German and French labels on the upper levels, scope notes, definitions,
notations, related terms across branches, a polyhierarchy, deprecated terms with
replacements, and mappings into an outside scheme.
"""
from __future__ import annotations

from functools import cache

from taxonomy.services import vocabulary_import

SCHEME = "https://vocab.example.org/stock/"

SUBJECTS = {
    "Animals": ("Tiere", "Animaux"), "Architecture": ("Architektur", "Architecture"),
    "Food": ("Essen", "Nourriture"), "Landscapes": ("Landschaften", "Paysages"),
    "People": ("Menschen", "Personnes"), "Sport": ("Sport", "Sport"),
    "Technology": ("Technik", "Technologie"), "Transport": ("Verkehr", "Transport"),
}
TOPICS = ["Group", "Detail", "Portrait", "Motion", "Night", "Season", "Indoor"]
KINDS = ["Close-up", "Wide", "Aerial", "Studio", "Archive", "Street"]


def _lit(text: str, lang: str = "en") -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + f'"@{lang}'


@cache
def turtle() -> str:
    """The Turtle text (built once per test run)."""
    out = ["@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
           "@prefix dct: <http://purl.org/dc/terms/> .",
           "@prefix owl: <http://www.w3.org/2002/07/owl#> .",
           "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
           f"@prefix : <{SCHEME}> .", "",
           f': a skos:ConceptScheme ; skos:prefLabel {_lit("Stock photography")} ;',
           f'    dct:description {_lit("Subjects for the picture library.")} .', ""]
    related: list[tuple[str, str]] = []

    def concept(local: str, pref: str, broader: list[str], extra: list[str]) -> None:
        lines = [f":{local} a skos:Concept", "skos:inScheme :", f"skos:prefLabel {_lit(pref)}"]
        lines += [f"skos:broader :{b}" for b in broader] or ["skos:topConceptOf :"]
        out.append(" ;\n    ".join(lines + extra) + " .")

    for s_index, (subject, (de, fr)) in enumerate(SUBJECTS.items()):
        s_local = subject.lower()
        concept(s_local, subject, [], [f"skos:prefLabel {_lit(de, 'de')}", f"skos:prefLabel {_lit(fr, 'fr')}",
                                       f'skos:notation "{s_index + 1}"',
                                       f"skos:scopeNote {_lit(f'Pictures whose main subject is {subject.lower()}.')}",
                                       f"skos:exactMatch <http://www.wikidata.org/entity/Q{1000 + s_index}>"])
        for t_index, topic in enumerate(TOPICS):
            t_local = f"{s_local}-{topic.lower()}"
            t_label = f"{subject} {topic.lower()}"
            concept(t_local, t_label, [s_local], [f"skos:altLabel {_lit(f'{topic} of {subject.lower()}')}",
                                                  f"skos:prefLabel {_lit(f'{de} {topic}', 'de')}",
                                                  f'skos:notation "{s_index + 1}.{t_index + 1}"'])
            for k_index, kind in enumerate(KINDS):
                k_local = f"{t_local}-{kind.lower()}"
                k_label = f"{t_label}, {kind.lower()}"
                extra = [f"skos:altLabel {_lit(f'{kind} {topic.lower()} {subject.lower()}')}",
                         f"skos:hiddenLabel {_lit(k_label.replace('o', '0', 1))}",
                         f"skos:definition {_lit(f'A {kind.lower()} shot: {t_label.lower()}.')}"]
                broader = [t_local]
                if k_index == 0 and t_index == 0:  # polyhierarchy: also under the next subject's group
                    nxt = list(SUBJECTS)[(s_index + 1) % len(SUBJECTS)].lower()
                    broader.append(f"{nxt}-group")
                concept(k_local, k_label, broader, extra)
                if kind == "Studio":
                    related.append((k_local, f"{list(SUBJECTS)[(s_index + 2) % len(SUBJECTS)].lower()}-"
                                             f"{topic.lower()}-studio"))
                if kind == "Archive" and t_index < 2:  # level four
                    for v_index, variety in enumerate(["Black and white", "Sepia"]):
                        concept(f"{k_local}-v{v_index}", f"{k_label}, {variety.lower()}", [k_local], [])
    # Deprecated terms pointing to their replacement.
    for index, subject in enumerate(list(SUBJECTS)[:4]):
        s_local = subject.lower()
        concept(f"old-{s_local}", f"{subject} (old heading)", [], [
            'owl:deprecated "true"^^xsd:boolean', f"dct:isReplacedBy :{s_local}-group",
            f"skos:scopeNote {_lit('Heading used before 2020.')}"])
        del index
    pairs = set(related) | {(b, a) for a, b in related}
    for a, b in sorted(pairs):
        out.append(f":{a} skos:related :{b} .")
    return "\n".join(out) + "\n"


def build():
    """Import the vocabulary into the test database; returns the Vocabulary."""
    return vocabulary_import(data=turtle().encode(), filename="stock.ttl", actor=None).vocabularies[0]
