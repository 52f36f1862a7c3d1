"""The back office's account page with the account's credits: accounts' UserAdmin plus a column
and a field from billing (the balance, and a link to grant or adjust it)."""
from typing import Any

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from accounts.admin import UserAdmin as AccountsUserAdmin
from accounts.models import User
from billing.models import CreditBalance
from billing.services import credits_balance

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AccountsUserAdmin):
    list_display = [*AccountsUserAdmin.list_display[:2], "credits", *AccountsUserAdmin.list_display[2:]]
    fieldsets: tuple[tuple[Any, dict[str, Any]], ...] = (*AccountsUserAdmin.fieldsets[:2], ("Credits", {"fields": ("credits",)}),
                 *AccountsUserAdmin.fieldsets[2:])
    readonly_fields = [*AccountsUserAdmin.readonly_fields, "credits"]

    @admin.display(description="Credits")
    def credits(self, obj):
        balance = credits_balance(account=obj)
        row = CreditBalance.objects.filter(account=obj).only("pk").first()
        if row is None:
            return balance
        url = reverse("admin:billing_creditbalance_adjust", args=[row.pk])
        return format_html('{} · <a href="{}">grant or adjust</a>', balance, url)
