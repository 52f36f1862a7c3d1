from django.contrib import admin

from batches.models import Batch, BatchRow


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "status", "total", "format", "source", "created_at", "completed_at")
    list_filter = ("status", "source")
    search_fields = ("id", "account__email", "idempotency_key")
    readonly_fields = [f.name for f in Batch._meta.fields]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(BatchRow)
class BatchRowAdmin(admin.ModelAdmin):
    list_display = ("batch", "row", "project_ref", "status", "generation")
    list_filter = ("status",)
    search_fields = ("batch__id", "generation__id")
    readonly_fields = [f.name for f in BatchRow._meta.fields]

    def has_add_permission(self, request):
        return False
