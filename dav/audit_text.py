"""How the drive's own audit events read."""
from __future__ import annotations

from accounts.audit import register


def register_all() -> None:
    register("dav.asset.moved_aside",
             "{actor} saved “{object}” from an app on the drive, which set it aside as “{name}” first",
             label="Set aside while saving", group="WebDAV drive", fields=[("name", "Temporary name")])
