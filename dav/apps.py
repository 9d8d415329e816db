from django.apps import AppConfig


class DavConfig(AppConfig):
    name = "dav"
    verbose_name = "WebDAV drive"

    def ready(self) -> None:
        from dav import audit_text

        audit_text.register_all()
