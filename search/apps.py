from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "Search"

    def ready(self) -> None:
        from assets import services as asset_services
        from search import audit_text, index, permissions, signals

        permissions.register()
        audit_text.register_all()
        signals.connect()
        # An upload writes its asset, version and current version in one transaction: one index rewrite.
        asset_services.write_batchers.append(index.coalesced)
