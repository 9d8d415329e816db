from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "Assets"

    def ready(self) -> None:
        from django.conf import settings
        from PIL import Image

        from assets import permissions
        from assets.search import permissions as search_permissions
        from assets.search import signals as search_signals

        permissions.register()
        search_permissions.register()
        search_signals.connect()
        # Pillow's own guard, at our limit; DecompressionBombWarning is turned
        # into an error wherever we open images (assets.files, assets.renditions).
        Image.MAX_IMAGE_PIXELS = settings.DAM_MAX_IMAGE_PIXELS
