from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # heartbeat connects the worker signals; schema registers the OpenAPI authentication extension.
        from core import heartbeat, schema  # noqa: F401
