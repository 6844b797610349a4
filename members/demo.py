"""Demo accounts and communities for `manage.py seed_demo` (idempotent)."""

from typing import Any

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


def seed(context: dict[str, Any]) -> None:
    """Users (context["users"] by username) and communities (context["communities"] by slug)."""
    users = context.setdefault("users", {})
    for email, username, superuser in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            create = User.objects.create_superuser if superuser else User.objects.create_user
            user = create(email=email, username=username, password=DEMO_PASSWORD)
        users[username] = user
    communities = context.setdefault("communities", {})
    for slug, name, description, community_type, owner in DEMO_COMMUNITIES:
        community = Community.objects.filter(slug=slug).first()
        if community is None:
            community = community_create(
                owner=users[owner], name=name, description=description, community_type=community_type, slug=slug
            )
        communities[slug] = community
    context["notes"].append(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, _, superuser in DEMO_USERS:
        context["notes"].append(f"  {email:<20} {'superadmin, admin site' if superuser else 'user'}")
