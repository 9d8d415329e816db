"""Barcodes read in a file, matched to the assets whose product-code fields (SKU, GTIN) hold the same value."""
from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q

from analysis.models import ProductMatch
from assets.models import Asset, AssetVersion


def _variants(value: str) -> set[str]:
    """A code as scanned and as people type it: an EAN-13 with a leading 0 is the UPC-A without it."""
    value = value.strip()
    variants = {value}
    if value.isdigit() and len(value) == 13 and value.startswith("0"):
        variants.add(value[1:])
    if value.isdigit() and len(value) == 12:
        variants.add("0" + value)
    return variants


def link_products(version: AssetVersion, codes: list[dict[str, Any]]) -> list[ProductMatch]:
    """Link the version's asset to every other asset whose product-code field equals a code read in it."""
    made = []
    for code in codes:
        value = str(code.get("value", ""))[:200]
        if not value.strip():
            continue
        match = Q()
        for key in settings.DAM_PRODUCT_CODE_FIELDS:
            for variant in _variants(value):
                match |= Q(**{f"metadata__{key}": variant})
        for product in Asset.objects.filter(match).exclude(pk=version.asset_id).only("pk", "metadata"):
            key = next((k for k in settings.DAM_PRODUCT_CODE_FIELDS
                        if str(product.metadata.get(k, "")) in _variants(value)), "")
            row, _ = ProductMatch.objects.get_or_create(
                asset_id=version.asset_id, product=product, code=value,
                defaults={"version": version, "code_format": str(code.get("format", ""))[:40], "field_key": key})
            made.append(row)
    return made
