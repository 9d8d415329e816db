"""Filename conventions: a pattern per collection (and its sub-folders) or per asset type.

A pattern is text with placeholders: {campaign}, {type}, {title}, {collection}, {version},
{uid}, {date:%Y%m%d} (the asset's creation date, any strftime format), and {<key>} for a
schema field. At ingest a name that does not follow the rule gets a message with a
conforming name; downloads are named by the rule.

Assets and versions are taken as arguments (this app sits below the assets app): an
asset is read for its collection (and the collection's `ancestor_ids` and `name`),
type, title, campaign, uid, creation date and metadata; a version for its number,
MIME type and file name, and its asset.
"""
from __future__ import annotations

import mimetypes
import re
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from accounts import audit
from accounts import permissions as authority
from accounts.models import User
from taxonomy.models import NamingRule, Vocabulary

FIXED = {"campaign", "type", "title", "collection", "version", "uid", "date"}


def rule_for(asset: Any) -> NamingRule | None:
    """The nearest collection's rule (the folder, then its parents), else the asset type's."""
    chain = [asset.collection_id, *reversed(asset.collection.ancestor_ids)]
    rules = {r.collection_id: r for r in NamingRule.objects.filter(collection_id__in=chain)}
    for collection_id in chain:
        if collection_id in rules:
            return rules[collection_id]
    return NamingRule.objects.filter(collection__isnull=True, asset_type=asset.asset_type).first()


def _placeholders(pattern: str) -> list[tuple[str, str, str]]:
    """(literal text before, field name, format spec) for each part of the pattern."""
    return [(literal, name or "", spec or "") for literal, name, spec, _ in string.Formatter().parse(pattern)]


def check_pattern(pattern: str) -> None:
    try:
        parts = _placeholders(pattern)
    except ValueError as exc:
        raise ValidationError({"pattern": f"The pattern cannot be read: {exc}."}) from None
    if not any(name for _, name, _ in parts):
        raise ValidationError({"pattern": "Use at least one placeholder, e.g. {campaign}_{type}_{date:%Y%m%d}."})


def _value(asset: Any, version: Any | None, name: str, spec: str) -> str:
    if name == "date":
        return asset.created_at.strftime(spec or "%Y%m%d")
    fixed = {"campaign": asset.campaign, "type": asset.asset_type, "title": asset.title,
             "collection": asset.collection.name, "version": str(version.number if version else 1),
             "uid": asset.uid.hex[:8]}
    value = fixed[name] if name in fixed else (asset.metadata or {}).get(name, "")
    return slugify(str(value)) or "x"


def _extension(filename: str, mime_type: str = "") -> str:
    if "." in filename:
        return "." + filename.rsplit(".", 1)[1].lower()
    return (mimetypes.guess_extension(mime_type) or "") if mime_type else ""


def conforming_name(asset: Any, rule: NamingRule, filename: str, version: Any | None = None) -> str:
    """The file name the rule gives this asset, keeping the file's extension."""
    text = "".join(literal + (_value(asset, version, name, spec) if name else "")
                   for literal, name, spec in _placeholders(rule.pattern))
    return text + _extension(filename, version.mime_type if version else "")


def conforms(filename: str, rule: NamingRule) -> bool:
    """Does a name follow the pattern's shape (placeholders may hold any text without separators)?"""
    regex = ""
    for literal, name, spec in _placeholders(rule.pattern):
        regex += re.escape(literal)
        if name == "date" and spec:
            regex += re.sub(r"%[dmHMSjyY]", lambda m: r"\d{4}" if m.group() == "%Y" else r"\d{2,3}",
                            re.escape(spec).replace("\\%", "%"))
        elif name:
            regex += r"[^/\\]+?"
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return re.fullmatch(regex, stem, flags=re.IGNORECASE) is not None


def ingest_advice(asset: Any) -> str | None:
    """A message for a freshly ingested file whose name breaks its rule, with a name that would not."""
    rule = rule_for(asset)
    version = asset.current_version
    if rule is None or version is None or conforms(version.original_filename, rule):
        return None
    return (f"“{version.original_filename}” does not follow the naming convention {rule.pattern} here; "
            f"a conforming name would be “{conforming_name(asset, rule, version.original_filename, version)}”.")


def rules_for(assets: Any) -> dict[int, NamingRule | None]:
    """rule_for of many assets (their collections loaded) in two queries, by asset id: a zip of a thousand."""
    assets = list(assets)
    chains = {a.pk: [a.collection_id, *reversed(a.collection.ancestor_ids)] for a in assets}
    folders = {c for chain in chains.values() for c in chain}
    by_folder = {r.collection_id: r for r in NamingRule.objects.filter(collection_id__in=folders)}
    by_type = {r.asset_type: r for r in NamingRule.objects.filter(collection__isnull=True).order_by("-pk")}
    return {a.pk: next((by_folder[c] for c in chains[a.pk] if c in by_folder), by_type.get(a.asset_type))
            for a in assets}


_LOOK_UP = object()


def download_name(version: Any, rule: Any = _LOOK_UP) -> str:
    """The name a download gets: the convention's, when there is one, else the uploaded name. `rule`, when
    given (rules_for), saves looking it up."""
    rule = rule_for(version.asset) if rule is _LOOK_UP else rule
    if rule is None:
        return version.original_filename
    return conforming_name(version.asset, rule, version.original_filename, version)


@transaction.atomic
def naming_rule_save(*, pattern: str, actor: User | None, collection: Any | None = None,
                     asset_type: str = "") -> NamingRule:
    """Set the convention for a collection or an asset type (replacing the one it had)."""
    if actor is not None:
        authority.require(actor, "edit", Vocabulary)
    if (collection is None) == (not asset_type):
        raise ValidationError("Give a collection or an asset type (one of them).")
    check_pattern(pattern)
    rule, _ = NamingRule.objects.update_or_create(collection=collection, asset_type="" if collection else asset_type,
                                                  defaults={"pattern": pattern.strip()})
    audit.record("assets.naming.rule_saved", actor=actor, target=rule, pattern=rule.pattern,
                 collection=collection.pk if collection else None, asset_type=asset_type)
    return rule


@transaction.atomic
def naming_rule_delete(*, rule: NamingRule, actor: User | None) -> None:
    if actor is not None:
        authority.require(actor, "edit", Vocabulary)
    audit.record("assets.naming.rule_deleted", actor=actor, target=rule, pattern=rule.pattern)
    rule.delete()
