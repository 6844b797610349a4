"""Demo accounts and communities for `manage.py seed_demo` (idempotent)."""

from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone
from tqdm import tqdm

from communities.models import Community
from communities.services import community_create
from community_service.devtools.demo_progress import run_steps
from members.models import Member, MemberStatus, User
from members.selectors.access import community_access
from members.services.memberships import join_request_decide, member_join

# --scale large: users scale-user-1..N; communities scale-1..M owned by users 1..M. Community
# 1 is the big one: users 1..BIG_MEMBERS belong to it; every user also joins two others.
LARGE_USERS = 100_000
LARGE_COMMUNITIES = 1_000
BIG_MEMBERS = 50_000

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    # (email, username, superuser)
    ("admin@example.com", "admin", True),
    ("alice@example.com", "alice", False),
    ("bob@example.com", "bob", False),
    ("carol@example.com", "carol", False),
    ("dave@example.com", "dave", False),
    ("erin@example.com", "erin", False),
    ("frank@example.com", "frank", False),
]
DEMO_MEMBERS = {
    # community slug: (members who join, users whose join request waits for a moderator)
    "python-developers-demo": (["bob", "carol", "dave", "erin", "frank"], []),
    "django-meetup-berlin-demo": (["bob", "erin"], ["carol", "dave", "frank"]),
}
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
    _seed_members(users, communities)
    context["notes"].append(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for email, _, superuser in DEMO_USERS:
        context["notes"].append(f"  {email:<20} {_role(email, superuser)}")
    if context["scale"] == "large":
        seed_large(context)


def _role(email: str, superuser: bool) -> str:
    if superuser:
        return "superadmin, admin site"
    username = email.split("@")[0]
    owns = [slug for slug, _, _, _, owner in DEMO_COMMUNITIES if owner == username]
    return f"user, owns {', '.join(owns)}" if owns else "user"


def _seed_members(users: dict[str, User], communities: dict[str, Community]) -> None:
    """Members through the services (counters, roles, events right), joined over the last week
    so the analytics show growth; a restricted community's requests stay pending for the console."""
    for slug, (joiners, waiting) in DEMO_MEMBERS.items():
        community = communities[slug]
        present = set(Member.objects.filter(community=community).values_list("user__username", flat=True))
        owner = community_access(community_id=community.pk, user=community.owner)
        for days_ago, username in enumerate(joiners, start=1):
            if username in present:
                continue
            member = member_join(community=community, user=users[username])
            if member.status == MemberStatus.PENDING:
                member = join_request_decide(actor=owner, member=member, approve=True)
            Member.objects.filter(pk=member.pk).update(joined_at=timezone.now() - timedelta(days=days_ago, hours=3))
        for username in waiting:
            if username not in present:
                member_join(community=community, user=users[username], message=f"Hi, {username} here: may I join?")


def seed_large(context: dict[str, Any]) -> None:
    """Users, communities and memberships of the benchmark data set (idempotent)."""
    if User.objects.filter(username=f"scale-user-{LARGE_USERS}").exists():
        return
    password = make_password(DEMO_PASSWORD)

    def users() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO members_user (id, password, is_superuser, username, first_name, last_name, is_staff,
                                          is_active, date_joined, email)
                SELECT gen_random_uuid(), %s, false, 'scale-user-' || n, '', '', false, true,
                       now() - (n %% 365) * interval '1 day', 'scale-user-' || n || '@example.com'
                  FROM generate_series(1, %s) AS n
                """,
                [password, LARGE_USERS],
            )

    def communities() -> None:
        owners = dict(
            User.objects.filter(username__in=[f"scale-user-{n}" for n in range(1, LARGE_COMMUNITIES + 1)])
            .values_list("username", "pk")
        )
        topics = ["Python", "Django", "Rust", "Cloud", "Data", "Design", "Music", "Chess", "Running", "Books"]
        for n in tqdm(range(1, LARGE_COMMUNITIES + 1), desc="communities", disable=not context["progress"]):
            topic = topics[n % len(topics)]
            community_create(
                owner=User(pk=owners[f"scale-user-{n}"]), name=f"{topic} community {n}", slug=f"scale-{n}",
                description=f"People who like {topic.lower()}: questions, news and meetups.",
                community_type="public",
            )

    def memberships() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                """
                CREATE TEMP TABLE scale_users ON COMMIT DROP AS
                SELECT split_part(username, '-', 3)::int AS idx, id FROM members_user
                 WHERE username LIKE 'scale-user-%%';
                CREATE TEMP TABLE scale_communities ON COMMIT DROP AS
                SELECT split_part(slug, '-', 2)::int AS idx, id FROM communities_community
                 WHERE slug LIKE 'scale-%%';
                CREATE INDEX ON scale_users (idx);
                CREATE INDEX ON scale_communities (idx);
                INSERT INTO members_member (id, status, is_owner, nickname, joined_at, left_at, ban_reason,
                                            join_message, created_at, updated_at, community_id, user_id)
                SELECT gen_random_uuid(),
                       CASE WHEN u.idx %% 20 = 0 THEN 'left' ELSE 'active' END, false, '',
                       now() - ((u.idx * 13 + j) %% 180) * interval '1 day' - (u.idx %% 86400) * interval '1 second',
                       CASE WHEN u.idx %% 20 = 0 THEN now() - ((u.idx * 13 + j) %% 7) * interval '1 day' END,
                       '', '', now(), now(), c.id, u.id
                  FROM scale_users u
                  CROSS JOIN generate_series(0, 2) AS j
                  JOIN scale_communities c ON c.idx = CASE j WHEN 0 THEN 1
                                                              WHEN 1 THEN 2 + u.idx %% (%(m)s - 1)
                                                              ELSE 2 + (u.idx * 7) %% (%(m)s - 1) END
                 WHERE j > 0 OR u.idx <= %(big)s
                ON CONFLICT (community_id, user_id) DO NOTHING;
                INSERT INTO members_member_roles (member_id, role_id)
                SELECT m.id, r.id FROM members_member m
                  JOIN scale_communities c ON c.id = m.community_id
                  JOIN members_role r ON r.community_id = m.community_id AND r.is_default
                 WHERE m.status = 'active' AND NOT m.is_owner;
                UPDATE communities_community cc SET member_count = counted.n
                  FROM (SELECT m.community_id, count(*) AS n FROM members_member m
                          JOIN scale_communities c ON c.id = m.community_id
                         WHERE m.status = 'active' GROUP BY m.community_id) counted
                 WHERE cc.id = counted.community_id;
                """,
                {"m": LARGE_COMMUNITIES, "big": BIG_MEMBERS},
            )

    run_steps([("users", users), ("communities", communities), ("memberships", memberships)],
              show=context["progress"], desc="members (large)")
    context["notes"].append(
        f"Large data set: {LARGE_USERS:,} users (scale-user-N@example.com), {LARGE_COMMUNITIES:,} communities "
        f"(slug scale-N; scale-1 is the big one)."
    )
