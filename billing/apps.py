from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.signals import user_created
        from billing.receivers import grant_starting_credits

        user_created.connect(grant_starting_credits, dispatch_uid="billing.starting_credits")
