from django.apps import AppConfig


class TaxonomyConfig(AppConfig):
    name = "taxonomy"
    verbose_name = "Vocabulary and metadata schema"

    def ready(self) -> None:
        from taxonomy import permissions

        permissions.register()
