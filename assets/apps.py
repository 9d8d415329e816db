from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "Assets"

    def ready(self) -> None:
        from django.conf import settings
        from django_q.signals import post_spawn
        from PIL import Image

        from assets import permissions, signals, tagging, tasks
        from assets.search import permissions as search_permissions
        from assets.search import signals as search_signals
        from taxonomy import signals as taxonomy_signals

        permissions.register()
        search_permissions.register()
        search_signals.connect()
        # Embedded keywords become terms (or proposals) once a version is stored; merged or
        # replaced vocabulary terms re-tag the assets (taxonomy cannot reach them itself).
        signals.version_created.connect(tagging.on_version_created, dispatch_uid="assets.keywords")
        taxonomy_signals.terms_replaced.connect(tagging.on_terms_replaced, dispatch_uid="assets.retag")
        post_spawn.connect(tasks.warm_up_worker, dispatch_uid="assets.warm_up_worker")
        # Pillow's own guard, at our limit; DecompressionBombWarning is turned
        # into an error wherever we open images (assets.files, assets.renditions).
        Image.MAX_IMAGE_PIXELS = settings.DAM_MAX_IMAGE_PIXELS
