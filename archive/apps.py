from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from archive.retention import permissions as retention_permissions

        retention_permissions.register()
