from django.urls import path

from billing import apis, views

api_urlpatterns = [
    path("billing/checkout", apis.BillingCheckoutApi.as_view(), name="billing-checkout"),
    path("billing/portal", apis.BillingPortalApi.as_view(), name="billing-portal"),
    path("billing/ledger", apis.BillingLedgerApi.as_view(), name="billing-ledger"),
    path("billing/plans", apis.BillingPlansApi.as_view(), name="billing-plans"),
]

urlpatterns = [
    path("billing/stripe/webhook", views.stripe_webhook, name="stripe-webhook"),
    path("render/billing", views.billing_page, name="billing"),
]
