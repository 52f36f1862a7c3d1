"""The back office: accounts, API tokens (never a secret: name and prefix only) and embed
sessions. Credits (balance, ledger, staff grants) live in billing's admin; the dashboard app
adds an account's balance to this page (dashboard/admin.py)."""
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, EmbedSession, User
from accounts.services import token_revoke

admin.site.site_header = _("Audome back office")
admin.site.site_title = _("Audome admin")
admin.site.index_title = _("Accounts, tokens, credits and renders")
admin.site.site_url = "/render"


class ApiTokenInline(admin.TabularInline):
    model = ApiToken
    extra = 0
    can_delete = False
    fields = ["name", "prefix", "scope", "created_at", "last_used_at", "usage_count", "revoked_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["email", "name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "name"]
    fieldsets: tuple[tuple[Any, dict[str, Any]], ...] = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name",)}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined"]
    inlines = [ApiTokenInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are shown by name and prefix only; the hash is never displayed. Staff can rename
    or revoke (revoking goes through the service, so the token.revoked event is sent)."""

    list_display = ["name", "account", "prefix_display", "scope", "created_at", "last_used_at", "usage_count", "status"]
    list_filter = ["scope", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "account__email", "prefix"]
    list_select_related = ["account"]
    fields = ["id", "account", "name", "scope", "prefix_display", "created_at", "last_used_at", "usage_count", "revoked_at"]
    readonly_fields = ["id", "account", "scope", "prefix_display", "created_at", "last_used_at", "usage_count", "revoked_at"]
    actions = ["revoke_tokens"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the row stays as a record

    @admin.display(description="Token", ordering="prefix")
    def prefix_display(self, obj):
        return f"aud_{obj.prefix}…"

    @admin.display(description="Status", ordering="revoked_at")
    def status(self, obj):
        return "active" if obj.is_active else f"revoked {obj.revoked_at:%Y-%m-%d %H:%M}"

    @admin.action(description="Revoke selected tokens")
    def revoke_tokens(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("account"):
            token_revoke(account=token.account, token_id=token.pk)
            count += 1
        self.message_user(request, f"{count} token(s) revoked.", messages.SUCCESS)


@admin.register(EmbedSession)
class EmbedSessionAdmin(admin.ModelAdmin):
    list_display = ["id", "account", "project_id", "category_id", "read_only", "expires_at"]
    fields = ["id", "account", "project_id", "category_id", "read_only", "allowed_origins", "expires_at", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False
