"""Backing up a whole DAM and restoring it (docs/backup.md).

`services.backup_take` writes the database (every row, as Django's JSON Lines), the migration state it was
taken at, and a manifest of every stored object the rows name (with size and SHA-256), by default with the
objects themselves; `services.backup_restore` loads it all into an empty, migrated database and its storages.
"""
