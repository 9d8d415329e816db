from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from archive.fixity import permissions as fixity_permissions

        fixity_permissions.register()
