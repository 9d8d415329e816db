"""News that apps above assets listen to (apps import downward only, so they can't be called)."""
from django.dispatch import Signal

# Sent after the transaction that created a new version commits.
# kwargs: version_id, previous_version_id (or None), actor_id (or None).
version_created = Signal()

# Sent after a permission-checked download of an original or rendition.
# kwargs: asset_id, version_id, rendition, user_id.
asset_downloaded = Signal()
