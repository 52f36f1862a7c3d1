from django.apps import AppConfig


class DocsConfig(AppConfig):
    name = "docs"
    label = "public_docs"
    verbose_name = "Public docs"
