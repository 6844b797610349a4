"""Print an access token for a demo user (for curl, schemathesis and the docs' Authorize button)."""

from django.core.management.base import BaseCommand, CommandParser

from members.models import User
from members.tokens import token_pair_for


class Command(BaseCommand):
    help = "Print an access token for a user (default: alice@example.com from seed_demo)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", default="alice@example.com")

    def handle(self, *args: object, email: str, **options: object) -> None:
        user = User.objects.get(email=email)
        self.stdout.write(token_pair_for(user)["access"])
