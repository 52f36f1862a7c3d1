"""create_token <email> [--scope full-access] [--credits N]: creates the account if needed,
grants N credits, and prints the new plain token alone on the last line of stdout."""
from django.core.management.base import BaseCommand, CommandError

from accounts.models import TokenScope, User
from accounts.services import token_create, user_create
from billing.services import credits_grant
from core.errors import ApiError


class Command(BaseCommand):
    help = "Create an API token for an account (creating the account if needed)."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--scope", default=TokenScope.FULL_ACCESS, choices=TokenScope.values)
        parser.add_argument("--credits", type=int, default=0)
        parser.add_argument("--name", default="CLI token")
        parser.add_argument("--password", default=None, help="Password for a newly created account.")

    def handle(self, *args, email, scope, credits, name, password, **options):
        if credits < 0:
            raise CommandError("--credits must be ≥ 0")
        user = User.objects.filter(email__iexact=email).first()
        try:
            if user is None:
                user = user_create(email=email, password=password)
                self.stderr.write(f"Created account {user.email}")
            if credits:
                credits_grant(account=user, amount=credits, description="Granted by create_token")
            _token, plain = token_create(account=user, name=name, scope=scope)
        except ApiError as exc:
            raise CommandError(exc.message)
        self.stdout.write(plain)
