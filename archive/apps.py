from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "archive"
    verbose_name = "Archive"

    def ready(self) -> None:
        from archive import audit_text
        from archive import automation as automation_hooks
        from archive.bags import apps_hooks as bags
        from archive.fixity import permissions as fixity_permissions
        from archive.retention import permissions as retention_permissions
        from archive.rights import permissions as rights_permissions
        from archive.rights.sweep import register_release_files

        audit_text.register_all()
        fixity_permissions.register()
        rights_permissions.register()
        retention_permissions.register()
        register_release_files()
        bags.ready()
        automation_hooks.register()
