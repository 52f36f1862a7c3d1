from django.apps import AppConfig


class RenderingConfig(AppConfig):
    name = "rendering"
    default_auto_field = "django.db.models.BigAutoField"
