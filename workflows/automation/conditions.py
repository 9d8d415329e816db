"""A rule's conditions: checked when a rule is saved (`clean`), and tested on an asset (`unmet`).

One function, `unmet`, decides for the real run and the dry run alike. Conditions are a JSON object;
every key is optional and all given ones must hold:

    {"collection": 12,                      # that folder or any folder below it
     "asset_types": ["image"],              # Asset.asset_type
     "mime_types": ["image/tiff", "image/*"],  # the current revision's file type
     "terms_any": ["https://…/t1"], "terms_all": [...],  # term URIs or ids
     "metadata": [{"field": "sku", "op": "equals" | "contains", "value": "A-1"}],
     "review_states": ["approved"],         # the current revision's review state
     "size_min": 0, "size_max": 10_000_000,  # bytes, of the current revision
     "width_min": …, "width_max": …, "height_min": …, "height_max": …}  # pixels
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from assets.models import Asset, AssetTerm, Collection, ReviewState
from taxonomy import selectors as vocab
from taxonomy.models import AssetType, Term

RANGES = {"size": ("size", "bytes"), "width": ("width", "pixels wide"), "height": ("height", "pixels high")}
KEYS = {"collection", "asset_types", "mime_types", "terms_any", "terms_all", "metadata", "review_states",
        *(f"{name}_{end}" for name in RANGES for end in ("min", "max"))}
OPS = {"equals": "is", "contains": "contains"}


def _strings(value: Any, what: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ValidationError(f"{what}: give a list.")
    return [str(v).strip() for v in value if str(v).strip()]


def clean(conditions: Any) -> dict[str, Any]:
    """The conditions as stored; ValidationError with one sentence per problem."""
    if conditions in (None, ""):
        return {}
    if not isinstance(conditions, Mapping):
        raise ValidationError("Conditions must be an object of named conditions.")
    errors: list[str] = []
    out: dict[str, Any] = {}
    for key in sorted(set(conditions) - KEYS):
        errors.append(f"“{key}” is not a condition. Use: {', '.join(sorted(KEYS))}.")
    try:
        if conditions.get("collection") not in (None, ""):
            ref = conditions["collection"]
            if not str(ref).isdigit() or not Collection.objects.filter(pk=int(ref)).exists():
                errors.append(f"There is no folder {ref}.")
            else:
                out["collection"] = int(ref)
        if conditions.get("asset_types"):
            types = _strings(conditions["asset_types"], "Asset types")
            errors += [f"“{t}” is not an asset type." for t in types if t not in AssetType.values]
            out["asset_types"] = types
        if conditions.get("mime_types"):
            out["mime_types"] = [t.lower() for t in _strings(conditions["mime_types"], "File types")]
            errors += [f"“{t}” is not a file type such as image/png or image/*." for t in out["mime_types"]
                       if "/" not in t]
        for key in ("terms_any", "terms_all"):
            if conditions.get(key):
                out[key] = []
                for ref in _strings(conditions[key], "Terms"):
                    term = vocab.resolve_term(ref)
                    if term is None:
                        errors.append(f"There is no term “{ref}”.")
                    else:
                        out[key].append(term.uri)
        if conditions.get("metadata"):
            items = conditions["metadata"]
            if not isinstance(items, list):
                raise ValidationError("Metadata conditions: give a list of {field, op, value}.")
            out["metadata"] = []
            for item in items:
                if not isinstance(item, Mapping) or not str(item.get("field", "")).strip():
                    errors.append("Each metadata condition needs a field.")
                    continue
                op = item.get("op", "equals")
                if op not in OPS:
                    errors.append(f"“{op}” is not a comparison; use equals or contains.")
                    continue
                out["metadata"].append({"field": str(item["field"]).strip(), "op": op,
                                        "value": str(item.get("value", ""))})
        if conditions.get("review_states"):
            states = _strings(conditions["review_states"], "Review states")
            errors += [f"“{s}” is not a review state." for s in states if s not in ReviewState.values]
            out["review_states"] = states
        for name in RANGES:
            for end in ("min", "max"):
                key = f"{name}_{end}"
                value = conditions.get(key)
                if value in (None, ""):
                    continue
                if not str(value).isdigit():
                    errors.append(f"{name.capitalize()} ({end}): give a whole number.")
                    continue
                out[key] = int(value)
            if out.get(f"{name}_min") is not None and out.get(f"{name}_max") is not None \
                    and out[f"{name}_min"] > out[f"{name}_max"]:
                errors.append(f"{name.capitalize()}: the smallest value is above the largest.")
    except ValidationError as exc:
        errors += exc.messages
    if errors:
        raise ValidationError(errors)
    return out


def unmet(conditions: Mapping[str, Any], asset: Asset) -> str:
    """The first condition the asset does not meet, as a sentence; "" when it meets them all."""
    version = asset.current_version
    folder = conditions.get("collection")
    if folder is not None:
        target = Collection.objects.filter(pk=folder).first()
        if target is None or not (asset.collection.path or "").startswith(target.path):
            return f"it is not in the folder “{target.name if target else folder}” or below it"
    if conditions.get("asset_types") and asset.asset_type not in conditions["asset_types"]:
        return f"it is a{'n' if asset.get_asset_type_display()[0] in 'AEIOU' else ''} " \
               f"{asset.get_asset_type_display().lower()}"
    if conditions.get("mime_types"):
        mime = (version.mime_type if version else "").lower()
        if not any(mime == want or (want.endswith("/*") and mime.startswith(want[:-1]))
                   for want in conditions["mime_types"]):
            return f"its file type is {mime or 'unknown'}"
    if conditions.get("terms_any") or conditions.get("terms_all"):
        held = set(AssetTerm.objects.filter(asset=asset).values_list("term__uri", flat=True))
        if conditions.get("terms_any") and not held & set(conditions["terms_any"]):
            return f"it has none of the terms {_labels(conditions['terms_any'])}"
        missing = [uri for uri in conditions.get("terms_all", []) if uri not in held]
        if missing:
            return f"it lacks the term{'s' if len(missing) > 1 else ''} {_labels(missing)}"
    for item in conditions.get("metadata", []):
        value = (asset.metadata or {}).get(item["field"])
        text = ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        if item["op"] == "equals" and text.strip().lower() != item["value"].strip().lower():
            return f"its field “{item['field']}” is not “{item['value']}”"
        if item["op"] == "contains" and item["value"].strip().lower() not in text.lower():
            return f"its field “{item['field']}” does not contain “{item['value']}”"
    if conditions.get("review_states"):
        state = version.review_state if version else ""
        if state not in conditions["review_states"]:
            shown = ReviewState(state).label.lower() if state else "without a revision"
            return f"its current revision is {shown}"
    for name, (attribute, unit) in RANGES.items():
        low, high = conditions.get(f"{name}_min"), conditions.get(f"{name}_max")
        if low is None and high is None:
            continue
        value = getattr(version, attribute, None) if version else None
        if value is None or (low is not None and value < low) or (high is not None and value > high):
            return f"its file is {'of unknown ' + name if value is None else f'{value:,} {unit}'}, " \
                   f"outside {low if low is not None else 0:,}–{high if high is not None else '…'}"
    return ""


def narrowing(conditions: Mapping[str, Any]) -> Q:
    """The conditions SQL can test, to narrow the assets a scheduled rule looks at; `unmet` still decides."""
    q = Q()
    if conditions.get("collection") is not None:
        target = Collection.objects.filter(pk=conditions["collection"]).first()
        q &= Q(collection__path__startswith=target.path) if target is not None else Q(pk__in=[])
    if conditions.get("asset_types"):
        q &= Q(asset_type__in=conditions["asset_types"])
    if conditions.get("review_states"):
        q &= Q(current_version__review_state__in=conditions["review_states"])
    if conditions.get("mime_types"):
        mimes = Q(pk__in=[])
        for want in conditions["mime_types"]:
            mimes |= (Q(current_version__mime_type__istartswith=want[:-1]) if want.endswith("/*")
                      else Q(current_version__mime_type__iexact=want))
        q &= mimes
    for name, (attribute, _) in RANGES.items():
        if conditions.get(f"{name}_min") is not None:
            q &= Q(**{f"current_version__{attribute}__gte": conditions[f"{name}_min"]})
        if conditions.get(f"{name}_max") is not None:
            q &= Q(**{f"current_version__{attribute}__lte": conditions[f"{name}_max"]})
    return q


def summary(conditions: Mapping[str, Any]) -> list[str]:
    """The conditions as people read them on the rule's page."""
    lines = []
    if conditions.get("collection") is not None:
        folder = Collection.objects.filter(pk=conditions["collection"]).first()
        lines.append(f"It is in “{folder.name if folder else conditions['collection']}” or a folder below it.")
    if conditions.get("asset_types"):
        labels = dict(AssetType.choices)
        names = [str(labels.get(t, t)).lower() for t in conditions["asset_types"]]
        lines.append("It is " + " or ".join(f"{'an' if n[0] in 'aeiou' else 'a'} {n}" for n in names) + ".")
    if conditions.get("mime_types"):
        lines.append(f"Its file type is {' or '.join(conditions['mime_types'])}.")
    if conditions.get("terms_any"):
        lines.append(f"It has any of the terms {_labels(conditions['terms_any'])}.")
    if conditions.get("terms_all"):
        lines.append(f"It has all of the terms {_labels(conditions['terms_all'])}.")
    for item in conditions.get("metadata", []):
        lines.append(f"Its field “{item['field']}” {OPS[item['op']]} “{item['value']}”.")
    if conditions.get("review_states"):
        labels = dict(ReviewState.choices)
        lines.append("Its current revision is " + " or ".join(labels.get(s, s).lower()
                                                              for s in conditions["review_states"]) + ".")
    for name, (_, unit) in RANGES.items():
        low, high = conditions.get(f"{name}_min"), conditions.get(f"{name}_max")
        if low is not None or high is not None:
            lines.append(f"Its file is {'at least ' + f'{low:,}' if low is not None else ''}"
                         f"{' and ' if low is not None and high is not None else ''}"
                         f"{'at most ' + f'{high:,}' if high is not None else ''} {unit}.")
    return lines


def _labels(uris: list[str]) -> str:
    names = dict(Term.objects.filter(uri__in=uris).values_list("uri", "label"))
    return ", ".join(f"“{names.get(uri, uri)}”" for uri in uris)
