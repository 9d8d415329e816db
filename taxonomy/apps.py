from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "taxonomy"
    verbose_name = "Vocabulary and metadata schema"

    def ready(self) -> None:
        from taxonomy import audit_text, permissions

        permissions.register()
        audit_text.register_all()
