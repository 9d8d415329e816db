from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "ingest"
    verbose_name = "Ingest"

    def ready(self) -> None:
        from assets import signals as asset_signals
        from ingest import keywords, permissions

        permissions.register()
        # Embedded keywords become terms (or proposals) once a version is stored.
        asset_signals.version_created.connect(keywords.on_version_created, dispatch_uid="ingest.keywords")
