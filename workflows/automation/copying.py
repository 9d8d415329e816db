"""The "copy to a folder" action: a new asset in the target folder, made from the source's file and description.

Our folders are a tree and an asset lives in one folder, so a copy cannot be the same asset "also" in a
second folder (that is what lightboxes are for). A copy is a new asset of its own: the source's title,
description, rights, metadata and human terms, and a new stored copy of the file of its approved revision
(else its current one) as its v1. It is made by the same service an upload uses (assets.services.asset_create,
as restoring a revision does), so it starts where every new asset starts: a draft, owned by the rule's owner,
with its previews queued; nothing is approved or skipped. Both assets' histories say where the copy came from.

A rule copies an asset into a folder once: the copy is recorded (AutomationCopy), and a later run, for the
same event or another, finds it and says so. An asset that is itself a copy the rule made is not copied again,
so a rule on "an asset is added" does not copy its own copies.
"""
from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from assets import services as asset_services
from assets.models import Asset, AssetTerm, AssetVersion, Collection, ReviewState
from assets.originals import open_original
from taxonomy import schema
from workflows.automation import pickers
from workflows.automation.models import AutomationCopy, AutomationRule
from workflows.automation.registry import Context, Param, register_action

# Everything that describes the asset and its rights (an embargo or an expiry decides who sees it, so a copy
# keeps them); the folder is the target, and title, description and metadata are passed on their own.
KEPT_FIELDS = tuple(f for f in asset_services.EDITABLE_FIELDS if f not in ("collection", "title", "description",
                                                                            "metadata"))


def _clean(params: Mapping[str, Any]) -> dict[str, Any]:
    ref = params.get("collection")
    if ref in (None, "") or not str(ref).isdigit() or not Collection.objects.filter(pk=int(ref)).exists():
        raise ValidationError("Choose the folder to copy the asset into.")
    return {"collection": int(ref)}


def _source_version(asset: Asset) -> AssetVersion:
    version = asset.approved_version or asset.current_version
    if version is None:
        raise ValidationError("The asset has no revision to copy.")
    return AssetVersion.objects.select_related("asset").get(pk=version.pk)


def _initial_state() -> str:
    return str(ReviewState(AssetVersion._meta.get_field("review_state").default).label).lower()


def _describe(ctx: Context, params: Mapping[str, Any]) -> str:
    target = Collection.objects.get(pk=params["collection"])
    made = AutomationCopy.objects.filter(rule=ctx.rule, source=ctx.asset, collection=target).select_related("copy")
    if (found := made.first()) is not None:
        return f"It was copied into “{target.name}” already, as “{found.copy.title}”: nothing to copy."
    if AutomationCopy.objects.filter(rule=ctx.rule, copy=ctx.asset).exists():
        return "It is a copy this rule made: nothing to copy."
    version = _source_version(ctx.asset)
    if not authority.can(ctx.actor, "download", ctx.asset):
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not download “{ctx.asset.title}”.")
    if not authority.can(ctx.actor, "contribute", target):
        raise PermissionDenied(f"{ctx.actor.display_name}, who owns the rule, may not add assets to “{target.name}”.")
    return (f"Copy it into “{target.name}” as a new asset, with the file of v{version.number} as its v1 "
            f"({_initial_state()}).")


def _run(ctx: Context, params: Mapping[str, Any]) -> None:
    target = Collection.objects.get(pk=params["collection"])
    if AutomationCopy.objects.filter(rule=ctx.rule, source=ctx.asset, collection=target).exists() or \
            AutomationCopy.objects.filter(rule=ctx.rule, copy=ctx.asset).exists():
        return
    asset_copy(source=ctx.asset, collection=target, rule=ctx.rule, actor=ctx.actor, run_id=ctx.run_id)


def asset_copy(*, source: Asset, collection: Collection, rule: AutomationRule, actor: User,
               run_id: int | None = None) -> Asset:
    """A new asset in `collection` made from `source` (see the module's docstring); all or nothing.

    The stored file is removed again when anything after it fails (a metadata value the target folder's schema
    refuses, a copy made at the same moment by another worker), so a failure leaves no orphan file.
    """
    version = _source_version(source)
    stored: list[str] = []
    try:
        with transaction.atomic():
            metadata = schema.clean_metadata(dict(source.metadata or {}), asset_type=source.asset_type,
                                             collection=collection)
            with open_original(version) as fileobj:
                copy = asset_services.asset_create(
                    fileobj=fileobj, filename=version.original_filename,
                    facts=asset_services.FileFacts.of_version(version), actor=actor, collection=collection,
                    title=source.title, description=source.description, metadata=metadata, allow_duplicate=True,
                    **{name: getattr(source, name) for name in KEPT_FIELDS})
            if copy.current_version is not None:  # asset_create always makes v1
                stored.append(copy.current_version.file.name)
            terms = list(AssetTerm.objects.filter(asset=source, source=AssetTerm.Source.HUMAN)
                         .order_by("term__label").values_list("term__uri", flat=True))
            if terms:
                copy = asset_services.asset_update(asset=copy, actor=actor, changes={"terms": terms})
            AutomationCopy.objects.create(rule=rule, source=source, collection=collection, copy=copy,
                                          source_version=version.number, run_id=run_id)
            facts = {"rule": rule.name, "rule_id": rule.pk, "version": version.number}
            # Each history says where the copy came from, or went.
            audit.record("workflows.automation.copied", actor=actor, target=copy, source=source.title,
                         source_uid=str(source.uid), **facts)
            audit.record("workflows.automation.copy_made", actor=actor, target=source, copy=copy.title,
                         copy_uid=str(copy.uid), collection=collection.name, **facts)
    except BaseException:
        for key in stored:  # the rows are rolled back; the file written before them must go too
            with contextlib.suppress(Exception):
                default_storage.delete(key)
        raise
    return copy


def register() -> None:
    register_action("copy", "Copy to a folder", clean_params=_clean, describe=_describe, run=_run,
                    params=[Param("collection", "Folder", "choice", choices=pickers.folders,
                                  help="A new asset is made there, in draft; this one stays where it is.")],
                    summarize=lambda params: f"into “{_folder_name(params.get('collection'))}”")


def _folder_name(pk: Any) -> str:
    name = Collection.objects.filter(pk=int(pk)).values_list("name", flat=True).first() if str(pk).isdigit() else None
    return name or "(deleted)"
