"""What archive's AppConfig.ready wires up for bags: the permission policy, and the file store's sweep
knowing which files under bags/ are exports' (others there, left by a crashed job, are orphans)."""
from __future__ import annotations


def ready() -> None:
    from archive.bags import permissions
    from archive.models import BagExport
    from assets import sweep

    permissions.register()

    def referenced(folder: str) -> set[str]:
        return set(BagExport.objects.filter(file__startswith=folder).values_list("file", flat=True))

    sweep.PLACES["bags/"] = sweep.Place(referenced, lambda: {"bags/"})
