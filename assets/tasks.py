"""Background jobs. Each takes ids, reloads, calls a service, and is safe to run twice."""
from __future__ import annotations

import logging
import socket

from assets import services, sweep

logger = logging.getLogger(__name__)


def renditions_generate_task(version_id: int) -> dict[str, str]:
    return {r.preset: r.status for r in services.renditions_generate(version_id=version_id)}


def renditions_recover_task() -> list[int]:
    """Every minute (a django-q2 schedule): run again the rendition jobs that died, stalled or never began."""
    return services.renditions_recover()


def storage_sweep_task() -> dict[str, int]:
    """Nightly (a django-q2 schedule): compare the store with the rows, remove orphans (assets.sweep)."""
    report = sweep.sweep()
    return {"checked": report.checked, "removed": report.removed, "missing_originals": len(report.missing_originals)}


def worker_stopped(*, pid: int, exitcode: int | None, timed_out: bool) -> None:
    """The cluster's sentinel saw a worker die or overrun its time limit (dam.jobs): its renditions run again."""
    services.job_died(worker=f"{socket.gethostname()}:{pid}", exitcode=exitcode, timed_out=timed_out)


def warm_up_worker(**kwargs: object) -> None:
    """When a worker process starts (django-q2's post_spawn): load the imaging code its first rendition
    job would otherwise load, so that job's thumbnail is not ~240 ms late (measured: importing
    assets.renditions with libvips ~70 ms, and the first perceptual hash ~170 ms, as it imports scipy).
    Each worker does it once after start and after every recycle. Loaded here, in the worker, and not
    in the cluster before it forks: libvips and the BLAS under scipy start threads that a fork loses."""
    try:
        import imagehash
        from PIL import Image

        from assets import renditions  # noqa: F401 - the import is the warm-up

        imagehash.phash(Image.new("L", (32, 32)))
    except Exception:  # a worker that cannot warm up still runs every other kind of job
        logger.exception("Could not load the imaging code in a new worker; its rendition jobs will say why.")
