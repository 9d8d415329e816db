"""News from the vocabulary to apps above it (apps import downward only)."""
from django.dispatch import Signal

# Sent after a change to a vocabulary's terms, labels or hierarchy (for instance a SKOS import).
# kwargs: vocabulary_id (or None when several changed).
vocabulary_changed = Signal()
