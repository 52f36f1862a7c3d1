"""Signals of the accounts app: other apps react to an account's events without accounts
importing them (the apps form a ladder).

user_signed_up(sender, *, user): an account was made through the sign-up page (not by an
operator's command): projects gives it a starter template."""
from django.dispatch import Signal

user_signed_up = Signal()
