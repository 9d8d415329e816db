from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Review and approval"

    def ready(self) -> None:
        from assets import services as asset_services
        from assets import signals as asset_signals
        from workflows import audit_text, permissions, receivers
        from workflows.services import refuse_if_locked

        permissions.register()
        audit_text.register_all()
        if refuse_if_locked not in asset_services.version_checks:
            asset_services.version_checks.append(refuse_if_locked)
        asset_signals.version_created.connect(receivers.withdraw_review_of_previous_version,
                                              dispatch_uid="workflows.withdraw_on_new_version")
