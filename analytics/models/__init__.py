"""The analytics app's models, one module per area."""
from analytics.models.digest import DigestSubscription
from analytics.models.rollups import DownloadCollectionDay, DownloadDay, RollupMark, SearchDay

__all__ = ["DigestSubscription", "DownloadCollectionDay", "DownloadDay", "RollupMark", "SearchDay"]
