from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Templates"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from accounts.signals import user_signed_up
        from projects.starter import on_user_signed_up

        user_signed_up.connect(on_user_signed_up, dispatch_uid="projects.starter")
