"""The daily retention job: apply the enabled rules, then empty the bin of what is past its grace period."""
from __future__ import annotations

from typing import Any

from archive.retention import services


def apply_retention_task() -> dict[str, Any]:
    """Run by the "Apply retention rules" schedule (archive migration 0005_retention). Safe to run twice:
    a second run finds nothing left to do."""
    runs = services.run_enabled_rules(actor=None)
    return {"rules": len(runs), "acted": sum(run.acted for run in runs)}


def bin_purge_task() -> dict[str, Any]:
    """Run by the "Empty the bin" schedule: purges binned assets past DAM_BIN_GRACE_DAYS, held ones excepted."""
    return {"purged": len(services.bin_purge_due())}
