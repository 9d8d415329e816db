"""Receivers that keep the search index and the vocabulary cache current.

Index maintenance is hooked to model writes rather than called from each
service because the writers live in several apps built in parallel (ingest,
vocabulary, approvals); a receiver runs inside the writer's transaction, so the
index commits or rolls back with the change. Bulk writes that bypass signals
(bulk_create, queryset.update) must call `search.index.reindex_assets`
or send `taxonomy.signals.vocabulary_changed`.
"""
from __future__ import annotations

from typing import Any

from django.db.models.signals import m2m_changed, post_delete, post_save

from assets.models import Asset, AssetTerm, AssetVersion
from search import expansion, index
from taxonomy.models import Term, TermLabel
from taxonomy.signals import vocabulary_changed


def _asset_saved(sender: Any, instance: Asset, raw: bool = False, **_: Any) -> None:
    if not raw:
        index.refresh([instance.pk])


def _version_saved(sender: Any, instance: AssetVersion, raw: bool = False, **_: Any) -> None:
    if not raw:
        index.refresh([instance.asset_id])


def _asset_term_changed(sender: Any, instance: AssetTerm, raw: bool = False, origin: Any = None,
                        **_: Any) -> None:
    # When the asset itself is being deleted its document goes with it; writing one now would
    # leave a row pointing at a deleted asset.
    deleting_asset = isinstance(origin, Asset) or getattr(origin, "model", None) is Asset
    if not raw and not deleting_asset:
        index.refresh([instance.asset_id])


def _asset_terms_m2m(sender: Any, instance: Any, action: str, reverse: bool, pk_set: set[int] | None,
                     **_: Any) -> None:
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        index.refresh([instance.pk])
    elif pk_set:
        index.refresh(pk_set)
    else:  # term.assets.clear(): the assets are gone from the link table already; refresh them all
        index.reindex_all()


def _term_changed(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    expansion.invalidate()
    if not raw:
        index.reindex_assets_with_terms([instance.pk])


def _label_changed(sender: Any, instance: Any, raw: bool = False, **_: Any) -> None:
    expansion.invalidate()
    if not raw:
        index.reindex_assets_with_terms([instance.term_id])


def _hierarchy_changed(sender: Any, action: str, **_: Any) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        expansion.invalidate()


def _vocabulary_changed(sender: Any, vocabulary_id: int | None = None, **_: Any) -> None:
    expansion.invalidate()
    terms = Term.objects.all() if vocabulary_id is None else Term.objects.filter(vocabulary_id=vocabulary_id)
    index.reindex_assets_with_terms(terms.values_list("pk", flat=True))


def connect() -> None:
    uid = "search"
    post_save.connect(_asset_saved, sender=Asset, dispatch_uid=f"{uid}.asset")
    post_save.connect(_version_saved, sender=AssetVersion, dispatch_uid=f"{uid}.version")
    for signal in (post_save, post_delete):
        signal.connect(_asset_term_changed, sender=AssetTerm, dispatch_uid=f"{uid}.assetterm")
        signal.connect(_term_changed, sender=Term, dispatch_uid=f"{uid}.term")
        signal.connect(_label_changed, sender=TermLabel, dispatch_uid=f"{uid}.label")
    m2m_changed.connect(_asset_terms_m2m, sender=AssetTerm, dispatch_uid=f"{uid}.terms")
    m2m_changed.connect(_hierarchy_changed, sender=Term.broader.through, dispatch_uid=f"{uid}.broader")
    vocabulary_changed.connect(_vocabulary_changed, dispatch_uid=f"{uid}.vocabulary")
