from django.contrib import admin

from rendering.models import Generation, IdempotencyRecord


@admin.register(Generation)
class GenerationAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "status", "source", "project_ref", "credits_used", "render_ms", "created_at")
    list_filter = ("status", "source")
    search_fields = ("id", "account__email", "project_ref", "idempotency_key")
    readonly_fields = [f.name for f in Generation._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("key", "account", "running", "response_status", "generation_id", "created_at")
    search_fields = ("key", "account__email", "generation_id")
    readonly_fields = [f.name for f in IdempotencyRecord._meta.fields]
