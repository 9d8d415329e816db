from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        from assets import signals as asset_signals
        from assets import sweep
        from assets.services import discard
        from ingest import audit_text, keywords, permissions, selectors, services

        permissions.register()
        audit_text.register_all()
        # Archives waiting to be unpacked are stored too: the storage sweep must know they are not orphans.
        sweep.PLACES["staging/archives/"] = sweep.Place(selectors.stored_archives, selectors.stored_archive_folders)
        # Embedded keywords become terms (or proposals) once a version is stored.
        asset_signals.version_created.connect(keywords.on_version_created, dispatch_uid="ingest.keywords")
        # A deleted folder's upload history moves to the folder above it.
        if services.batches_follow_parent not in discard.before_collection_delete:
            discard.before_collection_delete.append(services.batches_follow_parent)
