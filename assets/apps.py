from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = "Assets"

    def ready(self) -> None:
        from django.conf import settings
        from django_q.signals import post_spawn
        from PIL import Image

        from assets import audit_text, permissions, tagging, tasks
        from assets.models import Asset
        from dam import jobs
        from taxonomy import schema
        from taxonomy import signals as taxonomy_signals

        permissions.register()
        audit_text.register_all()
        # Merged or replaced vocabulary terms re-tag the assets, and an answered term proposal tags its
        # asset (taxonomy cannot reach assets itself).
        taxonomy_signals.terms_replaced.connect(tagging.on_terms_replaced, dispatch_uid="assets.retag")
        taxonomy_signals.term_chosen_for_asset.connect(tagging.on_term_chosen, dispatch_uid="assets.proposal_tag")
        # A schema field may not take the name of an asset's own field.
        schema.reserved_keys.update(field.name for field in Asset._meta.get_fields())
        post_spawn.connect(tasks.warm_up_worker, dispatch_uid="assets.warm_up_worker")
        # A worker that died making renditions: they run again at once (the cluster's sentinel tells us).
        if tasks.worker_stopped not in jobs.worker_stopped_hooks:
            jobs.worker_stopped_hooks.append(tasks.worker_stopped)
        # Pillow's own guard, at our limit; DecompressionBombWarning is turned
        # into an error wherever we open images (ingest.files, assets.renditions).
        Image.MAX_IMAGE_PIXELS = settings.DAM_MAX_IMAGE_PIXELS
