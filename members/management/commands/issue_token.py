"""Print a JWT access token for a user, for scripts and curl (replaces demo_token)."""

import json
from typing import Any

from django.core.management.base import CommandError, CommandParser

from community_service.management.base import DocumentedCommand
from members.models import User
from members.tokens import token_pair_for


class Command(DocumentedCommand):
    help = (
        "Print an access token (JWT, the seed's claims) for the user with this email. It lives\n"
        "JWT_ACCESS_TOKEN_MINUTES (at most 15); --refresh prints both tokens as JSON, so a script can\n"
        "renew with POST /api/v1/auth/token/refresh. The token carries is_superadmin only if the user\n"
        "is a superuser: this command grants nothing the account does not have."
    )

    examples = (
        "TOKEN=$(manage.py issue_token --user alice@example.com)",
        'curl -H "Authorization: Bearer $TOKEN" http://127.0.0.1:8000/api/v1/auth/me',
        "manage.py issue_token --user alice@example.com --refresh",
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, metavar="EMAIL", help="Email of an active user.")
        parser.add_argument("--refresh", action="store_true",
                            help='Print {"access": ..., "refresh": ...} as JSON instead of the access token.')

    def handle(self, *args: Any, user: str, refresh: bool, **options: Any) -> None:
        account = User.objects.filter(email__iexact=user).first()
        if account is None:
            raise CommandError(f"No user with email {user}.")
        if not account.is_active:
            raise CommandError(f"{user} is deactivated; it cannot get a token.")
        pair = token_pair_for(account)
        self.stdout.write(json.dumps(pair) if refresh else pair["access"])
