"""News from the vocabulary for the apps above it (they may import taxonomy; taxonomy may not import them)."""
from django.dispatch import Signal

# Sent after a transaction that changed a vocabulary (terms, labels, hierarchy) commits,
# so caches built on it (search's label expansion) can be dropped. kwargs: vocabulary_id.
vocabulary_changed = Signal()

# Sent synchronously *inside* the transaction that merges or deprecates a term, so the
# assets app re-tags its assets in the same transaction: all or nothing.
# kwargs: source_ids (terms going away), target_id (the term to use instead), actor, verb.
terms_replaced = Signal()

# Sent synchronously *inside* the transaction that accepts or maps a term proposal made for an
# asset, so the assets app tags the asset with the term in the same transaction.
# kwargs: asset_id, term_id, actor.
term_chosen_for_asset = Signal()
