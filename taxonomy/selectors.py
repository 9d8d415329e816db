"""Read queries for the vocabulary: trees, paths, label search, keyword matching."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Collate

from accounts import permissions as authority
from taxonomy.models import Term, TermLabel, TermProposal, Vocabulary, normalize_label


def vocabularies_visible_to(user: Any) -> QuerySet[Vocabulary]:
    return authority.visible(user, Vocabulary.objects.annotate(term_count=Count("terms")))


def terms_visible_to(user: Any) -> QuerySet[Term]:
    return authority.visible(user, Term.objects.select_related("vocabulary", "replaced_by"))


def resolve_term(ref: Any, queryset: QuerySet[Term] | None = None) -> Term | None:
    """A term by its id or its URI."""
    queryset = Term.objects.all() if queryset is None else queryset
    ref = str(ref).strip()
    if ref.isdigit():
        return queryset.filter(pk=int(ref)).first()
    return queryset.filter(uri=ref).first()


def _parents(term_ids: Iterable[int] | None = None) -> dict[int, list[int]]:
    """term id -> its broader term ids (all of them when term_ids is None)."""
    edges = Term.broader.through.objects.all()
    if term_ids is not None:
        edges = edges.filter(from_term_id__in=list(term_ids))
    parents: dict[int, list[int]] = defaultdict(list)
    for child, parent in edges.values_list("from_term_id", "to_term_id").order_by("to_term__label"):
        parents[child].append(parent)
    return parents


def paths_for(terms: Iterable[Term]) -> dict[int, list[str]]:
    """term id -> labels from the top down to the term, along its first broader term at each level."""
    terms = list(terms)
    parents: dict[int, list[int]] = {}
    labels = {t.pk: t.label for t in terms}
    frontier = {t.pk for t in terms}
    while frontier:  # one query per level, never per term
        found: dict[int, list[int]] = defaultdict(list)
        for child, parent, label in Term.broader.through.objects.filter(from_term_id__in=list(frontier)).values_list(
                "from_term_id", "to_term_id", "to_term__label"):
            found[child].append(parent)
            labels[parent] = label
        parents.update({k: sorted(v, key=lambda pk: labels[pk]) for k, v in found.items()})
        parents.update({k: [] for k in frontier if k not in found})
        frontier = {p for ps in found.values() for p in ps} - set(parents)
    paths = {}
    for term in terms:
        chain, node, seen = [term.label], term.pk, {term.pk}
        while parents.get(node):
            node = parents[node][0]
            if node in seen:  # a cycle from bad data must not hang a page
                break
            seen.add(node)
            chain.append(labels[node])
        paths[term.pk] = list(reversed(chain))
    return paths


@dataclass
class TreeRow:
    term: Term
    depth: int
    has_children: bool


def _visible_assets(user: Any) -> QuerySet:
    # Assets are reached through the relation the assets app declares on Term (taxonomy cannot
    # import it) and filtered by the permission authority, like every asset list.
    asset_model = cast(Any, Term._meta.get_field("assets")).related_model
    return authority.visible(user, asset_model.objects.all()).values("pk")


def with_asset_counts(terms: QuerySet[Term], user: Any) -> QuerySet[Term]:
    """Each term annotated with `asset_count`: how many assets the user may see carry it."""
    return terms.annotate(asset_count=Count("asset_links", filter=Q(asset_links__asset__in=_visible_assets(user))))


def tree(vocabulary: Vocabulary, user: Any) -> list[TreeRow]:
    """The vocabulary in tree order, each term with the count of its assets the user may see.

    A term with several broader terms appears under each.
    """
    terms = {t.pk: t for t in with_asset_counts(vocabulary.terms.all(), user)}
    children: dict[int | None, list[int]] = defaultdict(list)
    parents = _parents(terms)
    for pk in terms:
        inside: list[int | None] = [p for p in parents.get(pk, []) if p in terms]
        for parent in inside or [None]:
            children[parent].append(pk)
    for kids in children.values():
        kids.sort(key=lambda pk: terms[pk].label.casefold())
    rows: list[TreeRow] = []

    def walk(parent: int | None, depth: int, seen: frozenset[int]) -> None:
        for pk in children.get(parent, []):
            if pk in seen:
                continue
            rows.append(TreeRow(terms[pk], depth, bool(children.get(pk))))
            walk(pk, depth + 1, seen | {pk})

    walk(None, 0, frozenset())
    return rows


TREE_LEVEL_LIMIT = 500


def tree_level(vocabulary: Vocabulary, user: Any, parent: Term | None = None, *,
               include_deprecated: bool = False) -> tuple[list[TreeRow], int]:
    """One level of the tree, for vocabularies too big to show whole: the top terms (no broader term in
    the vocabulary) or a term's narrower terms, each with its asset count and whether it has narrower
    terms; at most TREE_LEVEL_LIMIT of them, and how many there are in all."""
    edges = Term.broader.through.objects
    if parent is None:
        terms = vocabulary.terms.exclude(pk__in=edges.filter(to_term__vocabulary=vocabulary).values("from_term_id"))
    else:
        terms = parent.narrower.all()
    if not include_deprecated:
        terms = terms.filter(status=Term.Status.ACTIVE)
    total = terms.count()
    terms = with_asset_counts(terms, user).annotate(
        has_narrower=Exists(edges.filter(to_term_id=OuterRef("pk")))).order_by("label")[:TREE_LEVEL_LIMIT]
    depth = 0 if parent is None else 1
    return [TreeRow(t, depth, bool(t.has_narrower)) for t in terms], total


@dataclass
class Match:
    term: Term
    matched: str  # the label that matched (may be a synonym)
    kind: str
    path: list[str]

    @property
    def kind_label(self) -> str:
        return {"pref": "preferred", "alt": "synonym", "hidden": "hidden label"}.get(self.kind, self.kind)


def labels_starting_with(labels: QuerySet[TermLabel], needle: str) -> QuerySet[TermLabel]:
    """Labels whose normalised form starts with `needle`, in index order, in the form the label index answers.

    SQLite's LIKE ignores case, so it cannot use the (case-sensitive) index: a range on the
    normalised text, which is already lower-case, does. On PostgreSQL the database's collation
    allows neither a prefix range nor that order: the "C"-collated index (migration 0006) does both.
    """
    if connection.vendor == "sqlite":
        return labels.filter(normalized__gte=needle, normalized__lt=needle + "\U0010ffff").order_by("normalized")
    return labels.alias(bytewise=Collate("normalized", "C")).filter(bytewise__startswith=needle).order_by("bytewise")


def search(user: Any, query: str, *, vocabulary: Vocabulary | None = None, include_deprecated: bool = False,
           limit: int = 20) -> list[Match]:
    """Terms whose preferred, alternative or hidden label contains the query (case- and accent-insensitive).

    Labels that start with the query come first and are found through the label index, so a picker
    answers as one types in a vocabulary of any size; labels that only contain it are looked for
    when those are too few.
    """
    needle = normalize_label(query)
    if not needle or not authority.can(user, "view", Vocabulary):
        return []
    labels = TermLabel.objects.all()
    if vocabulary is not None:
        labels = labels.filter(term__vocabulary=vocabulary)
    if not include_deprecated:
        labels = labels.filter(term__status=Term.Status.ACTIVE)
    columns = ("pk", "term_id", "kind", "text", "normalized", "term__label", "term__status", "term__vocabulary_id")

    def wanted(row: tuple) -> bool:
        return (vocabulary is None or row[7] == vocabulary.pk) and (
            include_deprecated or row[6] == Term.Status.ACTIVE)

    # Plain rows, not models, and the first labels in index order filtered here: given the term
    # conditions in SQL, the planner starts from the terms (all active ones) instead of the label index.
    first = labels_starting_with(TermLabel.objects.all(), needle).values_list(*columns)
    candidates = [row for row in first[: limit * 5] if wanted(row)]
    for more in (labels_starting_with(labels, needle), labels.filter(normalized__contains=needle)):
        if len({row[1] for row in candidates}) >= limit:
            break
        seen = [row[0] for row in candidates]
        candidates += list(more.exclude(pk__in=seen).order_by().values_list(*columns)[: limit * 5])
    found: dict[int, tuple] = {}
    # Labels that start with the query first, then preferred before synonyms.
    rank = {TermLabel.Kind.PREFERRED.value: 0, TermLabel.Kind.ALTERNATIVE.value: 1, TermLabel.Kind.HIDDEN.value: 2}
    for row in sorted(candidates, key=lambda r: (not r[4].startswith(needle), rank[r[2]], len(r[4]), r[5])):
        found.setdefault(row[1], row)
        if len(found) >= limit:
            break
    terms = Term.objects.select_related("vocabulary", "replaced_by").in_bulk(list(found))
    paths = paths_for(terms.values())
    return [Match(terms[term_id], row[3], row[2], paths[term_id]) for term_id, row in found.items()]


def match_keywords(keywords: Iterable[str]) -> dict[str, Term | None]:
    """Each keyword -> the term one of whose labels it is (any label, any case or accents), or None.

    An active term wins over a deprecated one; a deprecated match gives its replacement when it has one.
    """
    wanted = {kw: normalize_label(kw) for kw in keywords if normalize_label(kw)}
    labels = TermLabel.objects.filter(normalized__in=set(wanted.values())).select_related("term__replaced_by")
    by_text: dict[str, Term] = {}
    for label in sorted(labels, key=lambda lb: (lb.term.is_deprecated, lb.kind != TermLabel.Kind.PREFERRED)):
        term = label.term
        if term.is_deprecated and term.replaced_by is not None:
            term = term.replaced_by
        by_text.setdefault(label.normalized, term)
    return {kw: by_text.get(norm) for kw, norm in wanted.items()}


def term_detail(term: Term) -> dict[str, Any]:
    """What a term page shows: labels by kind, relations, path."""
    labels: dict[str, list[TermLabel]] = defaultdict(list)
    for label in term.labels.all():
        labels[label.kind].append(label)
    return {
        "pref_labels": labels[TermLabel.Kind.PREFERRED], "alt_labels": labels[TermLabel.Kind.ALTERNATIVE],
        "hidden_labels": labels[TermLabel.Kind.HIDDEN],
        "broader": list(term.broader.select_related("vocabulary")), "narrower": list(term.narrower.all()),
        "related": list(term.related.all()), "replaces": list(term.replaces.all()),
        "path": paths_for([term])[term.pk],
    }


def terms_for_choices(vocabulary: Vocabulary | None = None) -> QuerySet[Term]:
    queryset = Term.objects.filter(status=Term.Status.ACTIVE).select_related("vocabulary")
    return queryset.filter(vocabulary=vocabulary) if vocabulary else queryset


def proposals_visible_to(user: Any, status: str | None = None) -> QuerySet[TermProposal]:
    """Librarians (who may create terms): every proposal for an asset they may see, or for none.
    Everyone else: their own proposals. Only those in `status` when given; newest first."""
    proposals = TermProposal.objects.select_related("asset", "proposed_by", "resolved_by", "term", "vocabulary")
    if authority.can(user, "create", Vocabulary):
        proposals = proposals.filter(Q(asset__isnull=True) | Q(asset__in=_visible_assets(user)))
    else:
        proposals = proposals.filter(proposed_by=user)
    return proposals if status is None else proposals.filter(status=status)



@dataclass
class ProposalGroup:
    """Proposals with the same wording (any case or accents), decided together, and the terms they may mean."""

    label: str
    proposals: list[TermProposal]
    suggestions: list[Match]

    @property
    def ids(self) -> str:
        return ",".join(str(p.pk) for p in self.proposals)

    @property
    def pending(self) -> bool:
        return self.proposals[0].status == TermProposal.Status.PENDING

    @property
    def exact(self) -> list[Match]:
        """Suggested terms one of whose labels is exactly the proposed wording: most likely the answer."""
        wanted = normalize_label(self.label)
        return [m for m in self.suggestions if normalize_label(m.matched) == wanted]


def proposal_groups(user: Any, proposals: Iterable[TermProposal], *, suggest: bool) -> list[ProposalGroup]:
    """Pending proposals grouped by wording, oldest group first; decided ones stay one per row.

    `suggest`: look up the terms each pending wording may mean (for those who resolve proposals).
    """
    groups: dict[tuple[str, int], ProposalGroup] = {}
    for proposal in proposals:
        pending = proposal.status == TermProposal.Status.PENDING
        key = (normalize_label(proposal.label), 0) if pending else ("", proposal.pk)
        if key in groups:
            groups[key].proposals.append(proposal)
        else:
            groups[key] = ProposalGroup(proposal.label, [proposal], [])
    for group in groups.values():
        group.proposals.sort(key=lambda p: (p.created_at, p.pk))
        group.label = group.proposals[0].label  # the wording as first asked
        if suggest and group.pending:
            group.suggestions = search(user, group.label, limit=4)
    # The most asked-for wording first (one decision answers the most people), then the longest waiting.
    waiting = sorted((g for g in groups.values() if g.pending),
                     key=lambda g: (-len(g.proposals), g.proposals[0].created_at))
    return waiting + [g for g in groups.values() if not g.pending]


def terms_with_label(user: Any, texts: Iterable[str], *, exclude: Term | None = None) -> list[Match]:
    """Terms (any vocabulary the user may see, active or not) one of whose labels is one of `texts` exactly."""
    wanted = {normalize_label(t) for t in texts if normalize_label(t)}
    labels = TermLabel.objects.filter(normalized__in=wanted, term__in=terms_visible_to(user)).select_related(
        "term__vocabulary").order_by("term__label", "kind")
    if exclude is not None:
        labels = labels.exclude(term=exclude)
    found: dict[int, TermLabel] = {}
    for label in labels:
        found.setdefault(label.term_id, label)
    paths = paths_for([lb.term for lb in found.values()])
    return [Match(lb.term, lb.text, lb.kind, paths[lb.term_id]) for lb in found.values()]


def term_change_preview(term: Term, target: Term | None) -> dict[str, Any]:
    """What merging `term` into `target` (or deprecating it in favour of `target`) would change, counted over
    every asset, including those the person cannot see: the confirmation must not understate it."""
    carrying = term.asset_links.values("asset_id").distinct()  # type: ignore[attr-defined]
    both = target.asset_links.filter(asset_id__in=carrying).values("asset_id").distinct().count() if (  # type: ignore[attr-defined]
        target is not None) else 0
    target_labels = {(lb.language, lb.normalized) for lb in target.labels.all()} if target is not None else set()
    return {
        "asset_count": carrying.count(), "already_on_target": both,
        "labels_moved": [lb.text for lb in term.labels.all() if (lb.language, lb.normalized) not in target_labels],
        "narrower": list(term.narrower.order_by("label")),
    }
