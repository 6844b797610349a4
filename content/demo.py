"""Content of `manage.py seed_demo --scale large`: posts, comments and likes in bulk.

Generated inside PostgreSQL with generate_series (no rows travel through Python). Community
scale-1 gets 40% of the posts; authors are members of the post's community (see the
membership rule in members/demo.py); dates spread over the last 180 days.
"""

from typing import Any

from django.db import connection

from community_service.devtools.demo_progress import run_steps
from content.models import Post

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
