"""Load a small, idempotent demo data set and print its credentials."""

from django.core.management.base import BaseCommand
from django.db import transaction

from communities.models import Community
from communities.services import community_create
from members.models import User

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    # (email, username, superuser)
    ("admin@example.com", "admin", True),
    ("alice@example.com", "alice", False),
    ("bob@example.com", "bob", False),
]
DEMO_COMMUNITIES = [
    # (slug, name, description, type, owner username)
    ("python-developers-demo", "Python Developers", "Everything Python: web, data, tooling.", "public", "alice"),
    ("django-meetup-berlin-demo", "Django Meetup Berlin", "Monthly Django meetups in Berlin.", "restricted", "alice"),
    ("core-maintainers-demo", "Core Maintainers", "Invite-only maintainers' room.", "private", "bob"),
]


class Command(BaseCommand):
    help = "Create demo users and communities (safe to run repeatedly)."

    @transaction.atomic
    def handle(self, *args: object, **options: object) -> None:
        users = {}
        for email, username, superuser in DEMO_USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                create = User.objects.create_superuser if superuser else User.objects.create_user
                user = create(email=email, username=username, password=DEMO_PASSWORD)
            users[username] = user
        for slug, name, description, community_type, owner in DEMO_COMMUNITIES:
            if not Community.objects.filter(slug=slug).exists():
                community_create(
                    owner=users[owner], name=name, description=description, community_type=community_type, slug=slug
                )
        self.stdout.write("Demo accounts (password for all: %s):" % DEMO_PASSWORD)
        for email, username, superuser in DEMO_USERS:
            self.stdout.write(f"  {email:<20} {'superadmin, admin site' if superuser else 'user'}")
