from django.contrib import admin

from projects.models import Asset, Category, Font, Project


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "created_at")
    search_fields = ("name", "account__email")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "width", "height", "category", "updated_at")
    list_filter = ("created_at",)
    search_fields = ("name", "account__email", "id")
    raw_id_fields = ("account", "category")


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "mime", "width", "height", "bytes", "created_at")
    search_fields = ("account__email", "sha256", "original_name")
    raw_id_fields = ("account",)
    readonly_fields = ("sha256", "bytes", "mime", "width", "height")


@admin.register(Font)
class FontAdmin(admin.ModelAdmin):
    list_display = ("family_name", "weight", "style", "format", "account", "created_at")
    search_fields = ("family_name", "account__email")
    raw_id_fields = ("account",)
