"""The archive app's models, one module per area."""
from archive.models.bags import BagExport

__all__ = ["BagExport"]
