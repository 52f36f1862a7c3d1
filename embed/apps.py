from django.apps import AppConfig


class EmbedConfig(AppConfig):
    name = "embed"
    verbose_name = "Embed and Studio"
    default_auto_field = "django.db.models.BigAutoField"
