"""Release documents join the file store's sweep (assets.sweep): a stored release no row points to goes."""
from __future__ import annotations


def register_release_files() -> None:
    from archive.models import ReleaseDocument
    from assets import sweep

    def referenced(folder: str) -> set[str]:
        return set(ReleaseDocument.objects.filter(file__startswith=folder).values_list("file", flat=True))

    def folders() -> set[str]:
        names = ReleaseDocument.objects.values_list("file", flat=True)
        return {"/".join(name.split("/")[:2]) + "/" for name in names}

    sweep.PLACES["releases/"] = sweep.Place(referenced, folders)
