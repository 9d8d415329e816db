"""Actions on collections, assets, versions and renditions.

Each takes a keyword-only `actor` (None = the system), checks it with the
permission authority, runs in a transaction and writes one audit event.
Callers import from here; the modules split the actions by what they act on.
"""
from assets.services.assets import (
    EDITABLE_FIELDS,
    DuplicateFile,
    FileFacts,
    StaleEdit,
    VersionRefused,
    asset_create,
    asset_update,
    assets_bulk_update,
    find_duplicate,
    version_checks,
    version_create,
    write_batchers,
    writes_batched,
)
from assets.services.collections import (
    collection_create,
    collection_grant,
    collection_revoke,
    collection_set_delivery,
)
from assets.services.discard import asset_discard, collection_delete
from assets.services.renditions import (
    MAX_RENDITION_ATTEMPTS,
    RENDITION_TIMEOUT,
    derivative_generate,
    job_died,
    queue_renditions,
    rendition_generate,
    renditions_generate,
    renditions_recover,
    renditions_retry,
)

__all__ = [
    "EDITABLE_FIELDS", "MAX_RENDITION_ATTEMPTS", "RENDITION_TIMEOUT", "job_died", "renditions_recover",
    "renditions_retry", "DuplicateFile", "FileFacts", "StaleEdit", "VersionRefused", "asset_create",
    "asset_discard", "asset_update", "collection_delete", "assets_bulk_update",
    "collection_create", "collection_grant", "collection_revoke",
    "collection_set_delivery", "derivative_generate", "find_duplicate", "queue_renditions", "rendition_generate",
    "renditions_generate", "version_checks", "version_create", "write_batchers", "writes_batched",
]
