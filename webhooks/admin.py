from django.contrib import admin

from webhooks.models import Delivery, DeliveryAttempt, Event, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "url", "status", "failure_count", "last_triggered_at", "last_success_at")
    list_filter = ("status",)
    search_fields = ("id", "url", "account__email")
    exclude = ("secret", "previous_secret")
    readonly_fields = ("id", "account", "previous_secret_expires_at", "failure_count", "last_triggered_at",
                       "last_success_at", "created_at", "updated_at")


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ("number", "started_at", "finished_at", "outcome", "status_code", "response_ms", "error",
              "next_retry_at", "response_excerpt")
    readonly_fields = fields


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "event", "endpoint", "status", "attempt_count", "last_status_code", "next_attempt_at",
                    "created_at")
    list_filter = ("status",)
    search_fields = ("id", "event__id", "endpoint__url", "endpoint__account__email")
    readonly_fields = [f.name for f in Delivery._meta.fields]
    inlines = [AttemptInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "type", "created_at")
    list_filter = ("type",)
    search_fields = ("id", "account__email")
    readonly_fields = ("id", "account", "type", "data", "created_at", "updated_at")
