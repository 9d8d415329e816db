from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = "Review and approval"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from accounts.models import AuditEvent
        from assets import services as asset_services
        from assets import signals as asset_signals
        from workflows import audit_text, permissions, receivers
        from workflows.automation import audit_text as automation_audit_text
        from workflows.automation import builtin as automation_builtin
        from workflows.automation import engine as automation_engine
        from workflows.automation import permissions as automation_permissions
        from workflows.services import refuse_if_locked

        permissions.register()
        automation_permissions.register()
        audit_text.register_all()
        automation_audit_text.register_all()
        automation_builtin.register_all()
        # Rules hear of events through the audit trail, which every app's services write (as webhooks do).
        post_save.connect(automation_engine.on_audit_event, sender=AuditEvent, dispatch_uid="workflows.automation")
        if refuse_if_locked not in asset_services.version_checks:
            asset_services.version_checks.append(refuse_if_locked)
        asset_signals.version_created.connect(receivers.withdraw_review_of_previous_version,
                                              dispatch_uid="workflows.withdraw_on_new_version")
