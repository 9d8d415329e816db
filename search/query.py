"""From the words a person typed to a ranked, permission-filtered queryset, and an account of how it was read.

Reading a query: the words are normalised like labels, then the longest runs of
words that equal a vocabulary label (any kind, any language) become *concept*
clauses; every other word is a *word* clause. All clauses must hold (AND):

    word clause     the word starts a word of the asset's text (title, labels,
                    description, file name, metadata, embedded keywords)
    concept clause  the phrase occurs in that text, or the asset is tagged with
                    one of the matched terms or any term narrower than them

Matching is the same on both databases: the same tokens, prefix matching for
words, phrase matching for labels, and the term expansion from
`search.expansion`. Ranking is each database's own weighted relevance
(PostgreSQL `ts_rank` over weights A-D, SQLite FTS5 `bm25` with column weights),
so orders may differ slightly between them; the sets do not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from assets.models import Asset, AssetTerm
from search import expansion
from search.models import SearchDocument
from search.text import tokens

MAX_WORDS = 12
MAX_SUGGESTED_WORDS = 3
SUGGESTION_THRESHOLD = 0.3  # pg_trgm's default similarity_threshold
RANK_LABELS = 20  # expanded terms whose labels also lift the rank
# bm25 column weights in the order title, labels, description, other: the same 10:5:2:1 spirit as
# PostgreSQL's default {D, C, B, A} = {0.1, 0.2, 0.4, 1.0}.
BM25_WEIGHTS = "10.0, 5.0, 2.0, 1.0"


@dataclass(frozen=True)
class Clause:
    words: tuple[str, ...]
    term_ids: frozenset[int] = frozenset()
    expanded: frozenset[int] = frozenset()

    @property
    def phrase(self) -> str:
        return " ".join(self.words)


@dataclass
class ParsedQuery:
    text: str
    clauses: list[Clause] = field(default_factory=list)
    understood: list[str] = field(default_factory=list)
    # Words in no vocabulary label, the candidates for "did you mean".
    unknown: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.clauses)

    @cached_property
    def suggestions(self) -> list[dict[str, str]]:
        """Labels close to the unknown words: asked only by those who show them (a trigram query on
        PostgreSQL, up to 4 ms, which saved-search counts and the ranked list itself do not need)."""
        return [{"word": word, "suggestion": s} for word in self.unknown[:MAX_SUGGESTED_WORDS] for s in _suggest(word)]


def _explain(clause: Clause, vocabulary: expansion.Vocabulary) -> str:
    names = sorted({vocabulary.terms[t].label for t in clause.term_ids})
    kinds = {k for t in clause.term_ids for k in vocabulary.kinds.get((clause.phrase, t), ())}
    narrower = len(clause.expanded - clause.term_ids)
    how = " or ".join(names)
    synonyms = "its synonyms" if len(names) == 1 else "their synonyms"
    tail = f" and {synonyms}"
    if narrower:
        tail = f", {synonyms} and {narrower} narrower term{'s' if narrower != 1 else ''}"
    if kinds == {"pref"} and all(clause.phrase == " ".join(tokens(n)) for n in names) and not narrower:
        return f"{clause.phrase}: searching the term {how}{tail}"
    return f"{clause.phrase}: searching {how}{tail}"


def parse(text: str) -> ParsedQuery:
    """Split a query into clauses, matching the longest vocabulary labels first."""
    words = tokens(text)[:MAX_WORDS]
    parsed = ParsedQuery(text=text)
    if not words:
        return parsed
    vocabulary = expansion.current()
    i = 0
    while i < len(words):
        for length in range(min(vocabulary.longest_label, len(words) - i), 0, -1):
            phrase = " ".join(words[i:i + length])
            term_ids = vocabulary.by_label.get(phrase)
            if term_ids:
                clause = Clause(tuple(words[i:i + length]), term_ids, vocabulary.expand(term_ids))
                parsed.understood.append(_explain(clause, vocabulary))
                i += length
                break
        else:
            clause = Clause((words[i],))
            i += 1
        parsed.clauses.append(clause)
    parsed.unknown = [c.words[0] for c in parsed.clauses
                      if not c.term_ids and len(c.words[0]) >= 3 and c.words[0] not in vocabulary.label_words]
    return parsed


def _suggest(word: str) -> list[str]:
    """Labels close to an unknown word: pg_trgm on PostgreSQL, the same measure in Python on SQLite."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT normalized FROM (SELECT DISTINCT normalized, similarity(normalized, %s) AS s "
                "FROM taxonomy_termlabel WHERE kind <> 'hidden' AND normalized %% %s) AS close "
                "ORDER BY s DESC, normalized LIMIT 3", [word, word])
            return [row[0] for row in cursor.fetchall()]
    return expansion.current().close_labels(word, SUGGESTION_THRESHOLD, 3)


# --- SQL -----------------------------------------------------------------------

def _pg_term(clause: Clause, prefix: bool) -> str:
    quoted = [f"'{w}'" for w in clause.words]  # tokens are letters and digits only
    if prefix and len(quoted) == 1:
        return quoted[0] + ":*"
    return "(" + " <-> ".join(quoted) + ")"


def _fts5_term(clause: Clause, prefix: bool) -> str:
    return f'"{clause.phrase}"' + ("*" if prefix and len(clause.words) == 1 else "")


# The raw SQL below holds only constant text and the model's own table name; everything that comes
# from the searcher travels as a parameter (and is reduced to letters and digits by text.tokens first).

def _fts5_match_sql(clauses: list[Clause], prefix: bool) -> tuple[str, list[str]]:
    """SQLite: the ids of the assets whose text matches every clause (one FTS5 lookup)."""
    match = " AND ".join(_fts5_term(c, prefix) for c in clauses)
    return "SELECT rowid FROM assets_search_fts WHERE assets_search_fts MATCH %s", [match]


def _fts5_concept_sql(clause: Clause) -> tuple[str, list[str]]:
    """SQLite: the ids of the assets whose text holds the phrase, or that are tagged with an expanded term.

    One id list (a UNION), which SQLite builds once; PostgreSQL tests both on the
    index row instead (`index_conditions`).
    """
    text_sql, params = _fts5_match_sql([clause], prefix=False)
    terms = ", ".join(str(int(t)) for t in sorted(clause.expanded))  # our own term ids, not the searcher's text
    tagged = f"SELECT asset_id FROM {AssetTerm._meta.db_table} WHERE term_id IN ({terms})"  # noqa: S608
    return f"{text_sql} UNION {tagged}", params


def apply(queryset: QuerySet[Asset], parsed: ParsedQuery) -> QuerySet[Asset]:
    """SQLite: narrow `queryset` to the assets matching every clause (PostgreSQL: `index_conditions`)."""
    words = [c for c in parsed.clauses if not c.term_ids]
    if words:
        sql, params = _fts5_match_sql(words, prefix=True)
        queryset = queryset.filter(pk__in=RawSQL(sql, params))  # type: ignore[arg-type]  # noqa: S611
    for clause in parsed.clauses:
        if clause.term_ids:
            sql, params = _fts5_concept_sql(clause)
            queryset = queryset.filter(pk__in=RawSQL(sql, params))  # type: ignore[arg-type]  # noqa: S611
    return queryset


def index_conditions(parsed: ParsedQuery) -> list[RawSQL]:
    """PostgreSQL: every clause as a condition on a SearchDocument row (see AssetFilter.index_rows).

    Words and phrases are tested on the weighted vector; a concept clause also on
    the row's own term keys, so "phrase or tagged" is one row's test, not a union.
    """
    conditions = []
    words = [c for c in parsed.clauses if not c.term_ids]
    if words:
        tsquery = " & ".join(_pg_term(c, prefix=True) for c in words)
        conditions.append(RawSQL("vector @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField()))
    for clause in parsed.clauses:
        if clause.term_ids:
            keys = [str(t) for t in sorted(clause.expanded)]
            conditions.append(RawSQL("(vector @@ to_tsquery('simple', %s) OR terms ?| %s)",
                                     [_pg_term(clause, prefix=False), keys], output_field=BooleanField()))
    return conditions


def _rank_clauses(parsed: ParsedQuery) -> list[Clause]:
    """The query's clauses, and the labels of up to RANK_LABELS expanded terms as phrases of their own."""
    vocabulary = expansion.current()
    rank_clauses = list(parsed.clauses)
    extra: set[int] = set()
    for clause in parsed.clauses:
        extra |= clause.expanded
    for term_id in sorted(extra)[:RANK_LABELS]:
        words = tuple(tokens(vocabulary.terms[term_id].label))
        if words:
            rank_clauses.append(Clause(words, term_ids=frozenset({term_id})))  # a label: its phrase, not prefixes
    return rank_clauses


def _pg_rank_tsquery(parsed: ParsedQuery) -> str:
    return " | ".join(dict.fromkeys(_pg_term(c, prefix=not c.term_ids) for c in _rank_clauses(parsed)))


def rank(queryset: QuerySet[Asset], parsed: ParsedQuery) -> QuerySet[Asset]:
    """Annotate `search_rank`: higher is better; 0 for assets found only through their terms."""
    table = connection.ops.quote_name(Asset._meta.db_table)
    if connection.vendor == "postgresql":
        tsquery = _pg_rank_tsquery(parsed)
        sql = (f"SELECT ts_rank(d.vector, to_tsquery('simple', %s)) FROM assets_searchdocument d "  # noqa: S608
               f"WHERE d.asset_id = {table}.id")
    else:
        tsquery = " OR ".join(dict.fromkeys(_fts5_term(c, prefix=not c.term_ids) for c in _rank_clauses(parsed)))
        # FTS5 re-runs the whole MATCH for each outer row when asked for one rowid (measured: 28 s for 3,600
        # results at 50k assets), so score every match once in a materialised CTE and look results up in it.
        sql = (f"WITH scores AS MATERIALIZED (SELECT rowid AS id, -bm25(assets_search_fts, {BM25_WEIGHTS}) "  # noqa: S608
               f"AS score FROM assets_search_fts WHERE assets_search_fts MATCH %s) "
               f"SELECT score FROM scores WHERE scores.id = {table}.id")
    ranked = RawSQL(f"({sql})", [tsquery], output_field=FloatField())  # noqa: S611
    return queryset.annotate(search_rank=Coalesce(ranked, 0.0, output_field=FloatField()))


def rank_index_rows(rows: QuerySet[SearchDocument], parsed: ParsedQuery) -> QuerySet[SearchDocument]:
    """PostgreSQL: annotate index rows with `search_rank`, the same value `rank` gives their assets."""
    return rows.annotate(search_rank=RawSQL("ts_rank(vector, to_tsquery('simple', %s))",
                                            [_pg_rank_tsquery(parsed)], output_field=FloatField()))
