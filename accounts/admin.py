from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import ApiToken, EmbedSession, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are shown by name and prefix only; the hash is never displayed."""

    list_display = ["name", "account", "prefix", "scope", "created_at", "last_used_at", "usage_count", "revoked_at"]
    list_filter = ["scope"]
    search_fields = ["name", "account__email", "prefix"]
    fields = ["id", "account", "name", "scope", "prefix", "created_at", "last_used_at", "usage_count", "revoked_at"]
    readonly_fields = ["id", "account", "prefix", "created_at", "last_used_at", "usage_count"]

    def has_add_permission(self, request):
        return False


@admin.register(EmbedSession)
class EmbedSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "project_id", "category_id", "read_only", "expires_at"]
    fields = ["id", "account", "project_id", "category_id", "read_only", "allowed_origins", "expires_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
