"""Staff view of credits: balances and the ledger are read-only (never edited in place); a
"Grant or adjust credits" form on each balance appends a ledger entry recording who and why."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from billing.models import CreditBalance, LedgerEntry, StripeEvent, Subscription
from billing.services import credits_adjust
from core.errors import ApiError


class AdjustForm(forms.Form):
    amount = forms.IntegerField(help_text="Positive to grant, negative to remove.")
    reason = forms.CharField(max_length=200, help_text="Kept in the ledger with your name.")

    def clean_amount(self):
        value = self.cleaned_data["amount"]
        if value == 0:
            raise forms.ValidationError("Must not be zero.")
        return value


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CreditBalance)
class CreditBalanceAdmin(ReadOnlyAdmin):
    list_display = ("account", "balance", "exhausted_at", "updated_at", "adjust_link")
    search_fields = ("account__email",)
    readonly_fields = ("account", "balance", "exhausted_at", "created_at", "updated_at", "adjust_link")
    list_select_related = ("account",)

    def has_view_permission(self, request, obj=None):
        return request.user.is_staff

    @admin.display(description="Credits")
    def adjust_link(self, obj):
        url = reverse("admin:billing_creditbalance_adjust", args=[obj.pk])
        return format_html('<a class="button" href="{}">Grant or adjust credits</a>', url)

    def get_urls(self):
        return [
            path("<int:pk>/adjust/", self.admin_site.admin_view(self.adjust_view), name="billing_creditbalance_adjust"),
            *super().get_urls(),
        ]

    def adjust_view(self, request, pk):
        if not request.user.is_staff:
            raise PermissionDenied
        row = get_object_or_404(CreditBalance.objects.select_related("account"), pk=pk)
        form = AdjustForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                balance = credits_adjust(account=row.account, amount=form.cleaned_data["amount"],
                                         reason=form.cleaned_data["reason"], staff=request.user)
            except ApiError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"{row.account.email}: balance is now {balance}.")
                return redirect("admin:billing_creditbalance_change", pk)
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "title": f"Grant or adjust credits · {row.account.email}",
            "form": form, "row": row, "recent": LedgerEntry.objects.filter(account=row.account).select_related("created_by")[:10],
        }
        return TemplateResponse(request, "admin/billing/adjust.html", context)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "account", "kind", "amount", "balance_after", "description", "reference", "created_by")
    list_filter = ("kind",)
    search_fields = ("account__email", "reference", "description")
    list_select_related = ("account", "created_by")
    date_hierarchy = "created_at"


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("account", "plan_code", "status", "cancel_at_period_end", "current_period_end", "stripe_customer_id")
    list_filter = ("plan_code", "status")
    search_fields = ("account__email", "stripe_customer_id", "stripe_subscription_id")


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("stripe_id", "type", "status", "account", "attempts", "created_at")
    list_filter = ("status", "type")
    search_fields = ("stripe_id", "customer_id", "account__email")
