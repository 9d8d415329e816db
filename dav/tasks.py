"""The drive's jobs (django-q2)."""
from __future__ import annotations

from dav import services
from dav.locks import DbLockStorage


def scratch_sweep_task() -> int:
    """Daily: scratch files a day old and expired lock tokens go."""
    DbLockStorage().cleanup()
    return services.scratch_sweep()
