from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and permissions"

    def ready(self) -> None:
        from accounts import audit_text
        from dam import request_memo

        # The lowest app connects the per-request memory every app may use (dam.request_memo).
        request_memo.connect()
        audit_text.register_all()
