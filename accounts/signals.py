"""Signals of the accounts app: other apps react to an account's events without accounts
importing them (the apps form a ladder).

user_created(sender, *, user, starting_credits): an account was made (sign-up, an operator's
command, a test), inside user_create's transaction: billing grants the starting credits
(`starting_credits`, or the free plan's when None).

user_signed_up(sender, *, user): an account was made through the sign-up page (not by an
operator's command): projects gives it a starter template.

account_event(sender, *, account, type, data): something happened to the account that its
outgoing webhooks announce (`token.created`, `token.revoked`), sent inside the transaction that
did it: webhooks records the event."""
from django.dispatch import Signal

user_created = Signal()
user_signed_up = Signal()
account_event = Signal()
