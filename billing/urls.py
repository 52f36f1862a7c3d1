from django.urls import path

from billing import apis, plan_api, views

api_urlpatterns = [
    path("billing/checkout", apis.BillingCheckoutApi.as_view(), name="billing-checkout"),
    path("billing/portal", apis.BillingPortalApi.as_view(), name="billing-portal"),
    path("billing/ledger", apis.BillingLedgerApi.as_view(), name="billing-ledger"),
    path("billing/plans", apis.BillingPlansApi.as_view(), name="billing-plans"),
    path("account/plan", plan_api.AccountPlanApi.as_view(), name="account-plan"),
]

urlpatterns = [
    path("billing/stripe/webhook", views.stripe_webhook, name="stripe-webhook"),
    path("render/billing", views.billing_page, name="billing"),
]
