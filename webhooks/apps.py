from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.signals import account_event
        from webhooks.receivers import emit_account_event

        account_event.connect(emit_account_event, dispatch_uid="webhooks.account_event")
