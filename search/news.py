"""News that apps above search listen to (apps import downward only, so they can't be called)."""
from django.dispatch import Signal

# Sent when a recorded search's first result is opened, inside the transaction that marks it opened (so a
# receiver's writes commit or roll back with the mark). kwargs: event_id.
search_opened = Signal()
