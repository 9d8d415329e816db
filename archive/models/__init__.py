"""The archive app's models, one module per area."""
from archive.models.retention import BinEntry, LegalHold, RetentionRule, RetentionRun

__all__ = ["BinEntry", "LegalHold", "RetentionRule", "RetentionRun"]
