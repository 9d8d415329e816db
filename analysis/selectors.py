"""Content analysis's reads, permission-filtered through the one authority."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, QuerySet

from accounts import permissions as authority
from analysis.analysers import registry
from analysis.models import AnalyserState, AnalysisRun, ProductMatch, TermSuggestion
from assets.models import Asset, AssetVersion
from assets.selectors import version_shown_to

WAITING = (TermSuggestion.Status.PENDING, TermSuggestion.Status.APPLIED)


@dataclass(frozen=True)
class AnalyserOverview:
    slug: str
    title: str
    kinds: tuple[str, ...]
    enabled: bool  # named in DAM_ANALYSERS
    missing_package: str  # "" when installed
    state: AnalyserState | None  # what the last worker that loaded it found
    counts: dict[str, int] = field(default_factory=dict)  # runs by status

    @property
    def on(self) -> bool:
        return self.enabled and not self.missing_package and (self.state is None or self.state.available)

    @property
    def status_text(self) -> str:
        if not self.enabled:
            return "Off: not in DAM_ANALYSERS."
        if self.missing_package:
            return (f"Off: its package is not installed ({self.missing_package}). "
                    "Install requirements-ai.txt to switch it on.")
        if self.state is not None and not self.state.available:
            return f"Unavailable: {self.state.reason}"
        if self.state is None:
            return "On. Its model loads in the job worker with the first file it reads."
        return f"On: {self.state.model_name} {self.state.model_version}".strip()


def analysers_overview() -> list[AnalyserOverview]:
    """Every analyser this DAM knows, whether it runs here and why not, and how its runs went."""
    enabled = set(registry.enabled())
    states = AnalyserState.objects.in_bulk()
    counts: dict[str, dict[str, int]] = {}
    for slug, status, n in AnalysisRun.objects.values_list("analyser", "status").annotate(n=Count("pk")):
        counts.setdefault(slug, {})[status] = n
    out = []
    for slug in registry.ANALYSERS:
        missing = registry.missing_package(slug)
        try:
            klass = registry.analyser_class(slug)
            title, kinds = klass.title, tuple(sorted(klass.kinds))
        except ImportError as exc:  # its module itself is missing: say so rather than fail the page
            title, kinds, missing = slug.capitalize(), (), missing or str(exc.name)
        out.append(AnalyserOverview(slug, title, kinds, slug in enabled, missing, states.get(slug),
                                    counts.get(slug, {})))
    return out


def analysis_on() -> bool:
    """Whether any analyser runs here (the UI says "off" otherwise)."""
    return any(a.on for a in analysers_overview())


def runs_for(user: Any, asset: Asset) -> list[AnalysisRun]:
    """The analysis records of the version this user sees of the asset, in the analysers' order."""
    version = version_shown_to(user, asset)
    if version is None:
        return []
    order = list(registry.ANALYSERS)
    runs = authority.visible(user, AnalysisRun.objects.filter(version=version))
    return sorted(runs, key=lambda r: order.index(r.analyser) if r.analyser in order else len(order))


def suggestions_for(user: Any, asset: Asset) -> QuerySet[TermSuggestion]:
    """The asset's suggestions this user may see: waiting ones first, the most confident first."""
    return authority.visible(user, TermSuggestion.objects.filter(asset=asset)).select_related(
        "term", "term__vocabulary", "decided_by").order_by("status", "-confidence", "term__label")


def suggestion_for(user: Any, asset: Asset, suggestion_id: int, action: str = "view") -> TermSuggestion:
    """One suggestion of the asset, checked: 404 when unseen, 403 when not allowed."""
    return authority.access(user, TermSuggestion.objects.filter(asset=asset).select_related("asset", "term"),
                            action, pk=suggestion_id)


def queue(user: Any, *, status: str = TermSuggestion.Status.PENDING, vocabulary_id: int | None = None,
          analyser: str = "") -> QuerySet[Any]:
    """The librarian's queue: suggested terms waiting, one row per term with how many assets and the best
    confidence, the most asked-for first."""
    rows = authority.visible(user, TermSuggestion.objects.filter(status=status))
    if vocabulary_id:
        rows = rows.filter(term__vocabulary_id=vocabulary_id)
    if analyser:
        rows = rows.filter(analyser=analyser)
    return rows.values("term_id", "term__label", "term__vocabulary__title").annotate(
        assets=Count("asset_id"), best=Max("confidence")).order_by("-assets", "-best", "term__label")


def waiting_for_term(user: Any, term_id: int, *, status: str = TermSuggestion.Status.PENDING,
                     limit: int = 24) -> list[TermSuggestion]:
    """The suggestions of one term in the queue, with their assets, the most confident first."""
    rows = authority.visible(user, TermSuggestion.objects.filter(term_id=term_id, status=status))
    return list(rows.select_related("asset", "asset__current_version", "term").order_by("-confidence")[:limit])


def products_for(user: Any, asset: Asset) -> list[ProductMatch]:
    """The products (other assets by their SKU or GTIN) whose barcodes were read in this asset, that the user sees."""
    matches = ProductMatch.objects.filter(asset=asset, product__in=authority.visible(user, Asset.objects.all()))
    return list(matches.select_related("product").order_by("code"))


def seen_in(user: Any, asset: Asset) -> list[ProductMatch]:
    """The other assets showing this product (its barcode was read in them), that the user sees."""
    matches = ProductMatch.objects.filter(product=asset, asset__in=authority.visible(user, Asset.objects.all()))
    return list(matches.select_related("asset").order_by("-created_at"))


def version_runs(version: AssetVersion) -> dict[str, AnalysisRun]:
    return {run.analyser: run for run in AnalysisRun.objects.filter(version=version)}
