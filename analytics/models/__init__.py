"""The analytics app's models, one module per area."""
from analytics.models.digest import DigestSubscription

__all__ = ["DigestSubscription"]
