"""Rights at full strength: licence records, release documents, expiry reminders and what happens on expiry."""
