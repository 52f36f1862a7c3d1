from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Templates"
    default_auto_field = "django.db.models.BigAutoField"
