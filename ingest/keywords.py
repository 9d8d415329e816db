"""Embedded keywords at ingest: those that name a vocabulary term tag the asset, the rest become proposals."""
from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from accounts import audit
from assets.models import AssetTerm, AssetVersion
from taxonomy import selectors as vocab
from taxonomy.models import Term, TermProposal

logger = logging.getLogger(__name__)


@transaction.atomic
def keywords_apply(*, version_id: int) -> tuple[list[Term], list[str]]:
    """Tag a new version's asset with the terms its embedded keywords name; propose the rest. Safe to run twice."""
    version = AssetVersion.objects.select_related("asset").filter(pk=version_id).first()
    if version is None:
        return [], []
    keywords = (version.embedded_metadata or {}).get("keywords") or []
    if isinstance(keywords, str):
        keywords = [keywords]
    keywords = [str(k).strip() for k in keywords if str(k).strip()][:200]
    matches = vocab.match_keywords(keywords)
    asset = version.asset
    tagged = []
    for term in dict.fromkeys(t for t in matches.values() if t is not None):
        # The keyword came from the file, not from a person in the DAM: a machine link, fully confident.
        _, made = AssetTerm.objects.get_or_create(asset=asset, term=term, defaults={
            "source": AssetTerm.Source.AUTO, "confidence": 1.0})
        if made:
            tagged.append(term)
    pending = {p.casefold() for p in TermProposal.objects.filter(asset=asset).values_list("label", flat=True)}
    unmatched = []
    for keyword in dict.fromkeys(k for k, t in matches.items() if t is None):
        if keyword.casefold() not in pending:
            pending.add(keyword.casefold())
            TermProposal.objects.create(asset=asset, label=keyword[:300], origin=TermProposal.Origin.EMBEDDED,
                                        proposed_by=version.uploaded_by,
                                        note=f"Embedded keyword in {version.original_filename}")
            unmatched.append(keyword)
    if tagged or unmatched:
        audit.record("assets.keywords.matched", actor=None, target=asset, version=version.number,
                     tagged=[t.uri for t in tagged], proposed=unmatched)
    return tagged, unmatched


def on_version_created(sender: Any, *, version_id: int, **kwargs: Any) -> None:
    # The upload has committed by now; a failure here must not turn it into an error page.
    try:
        keywords_apply(version_id=version_id)
    except Exception:
        logger.exception("Matching embedded keywords of version %s failed", version_id)
