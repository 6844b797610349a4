"""Content of `manage.py seed_demo`: channels, a week of posts with comments and likes, and open
reports, written through the services (counters, search vectors and outbox events right).

`--scale large` adds posts, comments and likes in bulk, generated inside PostgreSQL with
generate_series (no rows travel through Python). Community scale-1 gets 40% of the posts;
authors are members of the post's community (see the membership rule in members/demo.py);
dates spread over the last 180 days.
"""

from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from community_service.devtools.demo_progress import run_steps
from content.models import Channel, Comment, Post, Reaction, ReportCategory, ReportEntry, ReportTarget
from content.services.channels import channel_create
from content.services.comments import comment_create
from content.services.posts import post_create
from content.services.reactions import post_like
from content.services.reports import report_submit
from members.models import User
from members.selectors.access import community_access

DEMO_CHANNELS = {
    # community slug: [(name, topic)] besides #general
    "python-developers-demo": [("help", "Stuck? Ask here."), ("show-and-tell", "What you built this week.")],
    "django-meetup-berlin-demo": [("venues", "Where we meet next.")],
}
DEMO_POSTS = {
    # community slug: [(days ago, channel slug, author, title, content, [(commenter, comment)], [likers])]
    "python-developers-demo": [
        (6, "general", "alice", "Welcome to Python Developers",
         "Introduce yourself below: what do you work on, and what would you like to learn?",
         [("bob", "Hi! Backend developer, mostly Django."), ("carol", "Data engineer here, pandas all day.")],
         ["bob", "carol", "dave", "erin"]),
        (5, "help", "carol", "How do I profile a slow Django view?",
         "A list page takes two seconds. Where do I start looking?",
         [("alice", "django-debug-toolbar first: count the queries."), ("dave", "Then py-spy on the worker.")],
         ["alice", "dave"]),
        (4, "show-and-tell", "dave", "A tiny CLI for tidying CSV files",
         "Built with Typer over the weekend; feedback welcome.",
         [("erin", "Nice, does it stream large files?")], ["alice", "bob", "erin"]),
        (3, "general", "erin", "Python 3.14: what are you trying first?",
         "Free-threaded builds, template strings, or the new REPL?",
         [("bob", "Free-threading, on our image pipeline."), ("frank", "You are all wrong, Python is dead.")],
         ["alice", "carol"]),
        (2, "general", "frank", "Buy cheap followers for your repo",
         "10,000 GitHub stars for $5, DM me. Limited offer!", [], []),
        (1, "help", "bob", "Type hints for a dict of callables?",
         "Is there something nicer than dict[str, Callable[..., Any]]?",
         [("alice", "A Protocol with __call__ keeps the signature.")], ["carol"]),
        (0, "general", "alice", "Monthly meetup in two weeks",
         "RSVP on the event page: seats are few, the waitlist moves as people cancel.", [], ["bob", "dave"]),
    ],
    "django-meetup-berlin-demo": [
        (5, "general", "alice", "Next meetup: ORM performance",
         "Talks on select_related, prefetch and indexes. Who wants to speak?",
         [("erin", "I can show our query-count tests.")], ["bob", "erin"]),
        (2, "venues", "bob", "Venue ideas for spring",
         "The co-working space in Kreuzberg offered its hall again.", [], ["alice"]),
    ],
}
DEMO_REPORTS = [
    # (community slug, reporter, target: ("post", title) | ("comment", text) | ("member", username), category, text)
    ("python-developers-demo", "carol", ("post", "Buy cheap followers for your repo"), ReportCategory.SPAM,
     "Selling stars."),
    ("python-developers-demo", "dave", ("post", "Buy cheap followers for your repo"), ReportCategory.SPAM, ""),
    ("python-developers-demo", "erin", ("post", "Buy cheap followers for your repo"), ReportCategory.OTHER,
     "Off topic here."),
    ("python-developers-demo", "erin", ("comment", "You are all wrong, Python is dead."),
     ReportCategory.HARASSMENT, "Trolling the thread."),
    ("python-developers-demo", "bob", ("member", "frank"), ReportCategory.SPAM, "Spams several channels."),
]

LARGE_POSTS = 1_000_000
BIG_SHARE = 400_000  # posts of community scale-1
LIKES_PER_POST = 2
COMMENT_EVERY = 10  # 3 comments per 10 posts

_TEMP_TABLES = """
CREATE TEMP TABLE IF NOT EXISTS content_scale_users ON COMMIT DROP AS
SELECT split_part(username, '-', 3)::int AS idx, id FROM members_user WHERE username LIKE 'scale-user-%%';
CREATE TEMP TABLE IF NOT EXISTS content_scale_communities ON COMMIT DROP AS
SELECT split_part(c.slug, '-', 2)::int AS idx, c.id, ch.id AS channel_id
  FROM communities_community c JOIN content_channel ch ON ch.community_id = c.id AND ch.slug = 'general'
 WHERE c.slug LIKE 'scale-%%';
CREATE INDEX IF NOT EXISTS content_scale_users_idx ON content_scale_users (idx);
CREATE INDEX IF NOT EXISTS content_scale_communities_idx ON content_scale_communities (idx);
"""

_POSTS = """
CREATE TEMP TABLE content_scale_posts ON COMMIT DROP AS
SELECT n AS idx, gen_random_uuid() AS id,
       CASE WHEN n <= %(big)s THEN 1 ELSE 2 + n %% (%(communities)s - 1) END AS community_idx,
       CASE WHEN n <= %(big)s THEN 1 + (n * 7919) %% %(big_members)s
            ELSE (n %% (%(communities)s - 1)) + (%(communities)s - 1) * (1 + n %% 99) END AS author_idx,
       now() - (n %% 180) * interval '1 day' - (n %% 86400) * interval '1 second' AS created_at
  FROM generate_series(1::bigint, %(posts)s) AS n;
CREATE INDEX ON content_scale_posts (idx);
INSERT INTO content_post (id, title, content, status, rejection_reason, is_pinned, comments_locked, like_count,
                          view_count, comment_count, published_at, created_at, updated_at, author_id, channel_id,
                          community_id)
SELECT p.id,
       (ARRAY['Question about', 'News on', 'Show and tell:', 'Tips for', 'Meetup about'])[1 + p.idx %% 5]
         || ' ' || (ARRAY['python', 'django', 'rust', 'cloud', 'data', 'design', 'music'])[1 + p.idx %% 7]
         || ' #' || p.idx,
       'Post number ' || p.idx || ' of the benchmark data set.', 'published', '', false, false, %(likes)s,
       p.idx %% 500, CASE WHEN p.idx %% %(every)s < 3 THEN 1 ELSE 0 END,
       p.created_at, p.created_at, p.created_at, u.id, c.channel_id, c.id
  FROM content_scale_posts p
  JOIN content_scale_users u ON u.idx = p.author_idx
  JOIN content_scale_communities c ON c.idx = p.community_idx;
"""

_LIKES = """
INSERT INTO content_reaction (id, created_at, comment_id, post_id, user_id)
SELECT gen_random_uuid(), LEAST(now(), p.created_at + (j + 1) * interval '1 hour'), NULL, p.id, u.id
  FROM content_scale_posts p
  CROSS JOIN generate_series(0, %(likes)s - 1) AS j
  JOIN content_scale_users u ON u.idx = 1 + (p.idx * 31 + j * 7) %% %(users)s;
"""

_COMMENTS = """
INSERT INTO content_comment (id, depth, content, is_edited, is_deleted, like_count, reply_count, created_at,
                             updated_at, author_id, community_id, parent_id, thread_id, post_id)
SELECT gen_random_uuid(), 0, 'Comment on post ' || p.idx, false, false, 0, 0,
       LEAST(now(), p.created_at + interval '30 minutes'), LEAST(now(), p.created_at + interval '30 minutes'),
       u.id, c.id, NULL, NULL, p.id
  FROM content_scale_posts p
  JOIN content_scale_users u ON u.idx = 1 + (p.idx * 17) %% %(users)s
  JOIN content_scale_communities c ON c.idx = p.community_idx
 WHERE p.idx %% %(every)s < 3;
"""

# Post counters are written with the posts (known in advance): updating 1,000,000 rows later
# would rewrite every row and its index entries.
_COUNTERS = """
UPDATE communities_community cc SET post_count = counted.n
  FROM (SELECT community_idx, count(*) AS n FROM content_scale_posts GROUP BY community_idx) counted
  JOIN content_scale_communities c ON c.idx = counted.community_idx
 WHERE cc.id = c.id;
ANALYZE content_post; ANALYZE content_reaction; ANALYZE content_comment;
"""


def seed(context: dict[str, Any]) -> None:
    users, communities = context.get("users", {}), context.get("communities", {})
    for slug, posts in DEMO_POSTS.items():
        community = communities.get(slug)
        if community is not None:
            _seed_community(community, users, posts)
    _seed_reports(users, communities)
    if communities:
        context["notes"].append("Demo content: a week of posts, comments and likes in python-developers-demo and "
                                "django-meetup-berlin-demo; open reports to moderate at /admin/.")
    seed_large(context)


def _backdate(model: Any, pk: Any, when: Any, *fields: str) -> None:
    """Demo rows spread over the past week (the services stamp now), so the analytics show a week."""
    model.objects.filter(pk=pk).update(**{field: when for field in fields})


def _seed_community(community: Any, users: dict[str, User], posts: list[Any]) -> None:
    titles = set(Post.objects.filter(community=community).values_list("title", flat=True))
    if all(post[3] in titles for post in posts):
        return
    for name, topic in DEMO_CHANNELS.get(community.slug, []):
        if not Channel.objects.filter(community=community, slug=name).exists():
            channel_create(community=community, name=name, topic=topic)
    channels = {channel.slug: channel for channel in Channel.objects.filter(community=community)}
    now = timezone.now()
    for days_ago, channel, author, title, content, comments, likers in posts:
        if title in titles:
            continue
        access = community_access(community_id=community.pk, user=users[author])
        post = post_create(community=community, author=users[author], access=access, title=title,
                           content=content, channel=channels[channel])
        when = now - timedelta(days=days_ago, hours=2)
        _backdate(Post, post.pk, when, "created_at", "published_at", "updated_at")
        for minutes, (commenter, text) in enumerate(comments, start=1):
            comment = comment_create(post=post, author=users[commenter], content=text,
                                     access=community_access(community_id=community.pk, user=users[commenter]))
            _backdate(Comment, comment.pk, when + timedelta(minutes=20 * minutes), "created_at", "updated_at")
        for liker in likers:
            post_like(post=post, user=users[liker], access=community_access(community_id=community.pk,
                                                                              user=users[liker]))
        Reaction.objects.filter(post=post).update(created_at=when + timedelta(hours=1))


def _seed_reports(users: dict[str, User], communities: dict[str, Any]) -> None:
    """Open reports of posts, comments and a member from several reporters (one queue item can
    hold several), for the console's queue."""
    for slug, reporter, (kind, key), category, text in DEMO_REPORTS:
        community = communities.get(slug)
        if community is None:
            continue
        if kind == ReportTarget.POST:
            target_id = Post.objects.filter(community=community, title=key).values_list("pk", flat=True).first()
        elif kind == ReportTarget.COMMENT:
            target_id = Comment.objects.filter(community=community, content=key).values_list("pk", flat=True).first()
        else:
            target_id = users[key].pk
        if target_id is None or ReportEntry.objects.filter(
                reporter=users[reporter], report__target_type=kind, report__target_id=target_id).exists():
            continue
        report_submit(community=community, reporter=users[reporter], target_type=kind, target_id=target_id,
                      category=category, text=text,
                      access=community_access(community_id=community.pk, user=users[reporter]))


def seed_large(context: dict[str, Any]) -> None:
    if context["scale"] != "large" or Post.objects.filter(title__endswith=f"#{LARGE_POSTS}").exists():
        return
    from members.demo import BIG_MEMBERS, LARGE_COMMUNITIES, LARGE_USERS

    params = {"big": BIG_SHARE, "communities": LARGE_COMMUNITIES, "big_members": BIG_MEMBERS,
              "posts": LARGE_POSTS, "likes": LIKES_PER_POST, "users": LARGE_USERS, "every": COMMENT_EVERY}

    def sql(statement: str) -> Any:
        def run() -> None:
            with connection.cursor() as cursor:
                cursor.execute(statement, params)
        return run

    run_steps([("prepare", sql(_TEMP_TABLES)), ("posts", sql(_POSTS)), ("likes", sql(_LIKES)),
               ("comments", sql(_COMMENTS)), ("counters", sql(_COUNTERS))],
              show=context["progress"], desc="content (large)")
    context["notes"].append(
        f"  {LARGE_POSTS:,} posts ({BIG_SHARE:,} in scale-1), {LARGE_POSTS * LIKES_PER_POST:,} likes, "
        f"{LARGE_POSTS * 3 // COMMENT_EVERY:,} comments."
    )
