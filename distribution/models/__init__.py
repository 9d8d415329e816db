"""Distribution's models, one module per part: share links and download events, webhooks."""
from distribution.models.links import DownloadEvent, ShareLink

__all__ = ["DownloadEvent", "ShareLink"]
