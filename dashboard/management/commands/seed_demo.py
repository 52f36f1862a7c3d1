"""seed_demo: the demo account (with credits and an API token) and the demo template, for
`make run`. Prints JSON {email, password, token, projectId}. Idempotent: the token is kept in
--token-file (a local, git-ignored file) and re-created only when it no longer works."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand

from accounts.models import User
from accounts.services import credential_authenticate, token_create, user_create
from billing.services import credits_balance, credits_grant
from projects.services import demo_project_ensure

DEMO_EMAIL = "demo@audome.local"
DEMO_PASSWORD = "audome-demo-2026"
DEMO_CREDITS = 1000


class Command(BaseCommand):
    help = "Create the demo account, token and template used by `make run`."

    def add_arguments(self, parser):
        parser.add_argument("--token-file", default="var/demo-token")

    def handle(self, *args, token_file, **options):
        user = User.objects.filter(email=DEMO_EMAIL).first()
        if user is None:
            user = user_create(email=DEMO_EMAIL, password=DEMO_PASSWORD, starting_credits=DEMO_CREDITS)
        if credits_balance(account=user) < 100:
            credits_grant(account=user, amount=DEMO_CREDITS, description="Demo top-up")
        path = Path(token_file)
        plain = path.read_text().strip() if path.exists() else ""
        credential = credential_authenticate(plain) if plain else None
        if credential is None or credential.account_id != user.pk:
            _token, plain = token_create(account=user, name="Demo token (make run)")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(plain)
        project_id = str(demo_project_ensure(account=user).pk)
        self.stdout.write(json.dumps({"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "token": plain, "projectId": project_id}))
