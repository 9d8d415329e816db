"""What a backup or a restore answers when it cannot go on."""
from __future__ import annotations


class BackupRefused(Exception):
    """The backup cannot be written or restored; the message is a sentence for the person who asked,
    naming the object or the migration that is the reason. Nothing was restored."""
