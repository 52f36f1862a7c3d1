from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The top of the ladder: the pages and API answers that show one account across every app
    (the /render home, GET /api/account and /api/account/usage, the back office's credits
    column, the operators' commands). It may import any app; none imports it."""

    name = "dashboard"
    default_auto_field = "django.db.models.BigAutoField"
