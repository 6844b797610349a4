"""The dashboard computed the naive way, from the raw tables on every request (bench only).

Served beside the real route by bench/settings_bench.py so both are measured over HTTP in
one run; it answers the same questions as analytics.selectors.communities without rollups.
"""

import datetime as dt

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path

_SQL = """
WITH params AS (SELECT %(community)s::uuid AS c, %(start)s::timestamptz AS s, %(end)s::timestamptz AS e,
                       %(month)s::timestamptz AS m),
posts AS (SELECT p.id, p.author_id, p.created_at FROM content_post p, params
           WHERE p.community_id = params.c AND p.deleted_at IS NULL),
comments AS (SELECT c.post_id, c.author_id, c.created_at FROM content_comment c JOIN posts p ON p.id = c.post_id
              WHERE c.deleted_at IS NULL),
likes AS (SELECT r.post_id, r.user_id, r.created_at FROM content_reaction r JOIN posts p ON p.id = r.post_id),
activity AS (SELECT author_id AS u, created_at AS t FROM posts UNION ALL SELECT author_id, created_at FROM comments
             UNION ALL SELECT user_id, created_at FROM likes)
SELECT
  (SELECT json_agg(row_to_json(d)) FROM (
     SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS posts FROM posts, params
      WHERE created_at >= params.s AND created_at < params.e GROUP BY 1 ORDER BY 1) d),
  (SELECT json_agg(row_to_json(d)) FROM (
     SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS comments FROM comments, params
      WHERE created_at >= params.s AND created_at < params.e GROUP BY 1 ORDER BY 1) d),
  (SELECT json_agg(row_to_json(d)) FROM (
     SELECT (joined_at AT TIME ZONE 'UTC')::date AS day, count(*) AS joined FROM members_member, params
      WHERE community_id = params.c AND joined_at >= params.s AND joined_at < params.e GROUP BY 1 ORDER BY 1) d),
  (SELECT count(DISTINCT u) FROM activity, params WHERE t >= params.m),
  (SELECT count(*) FROM likes, params WHERE created_at >= params.s AND created_at < params.e),
  (SELECT json_agg(row_to_json(d)) FROM (
     SELECT post_id, count(*) AS n FROM (SELECT post_id, created_at FROM likes UNION ALL
                                         SELECT post_id, created_at FROM comments) x, params
      WHERE created_at >= params.s AND created_at < params.e GROUP BY post_id ORDER BY n DESC LIMIT 5) d)
"""


def naive_community_analytics(request: HttpRequest, community_id: str) -> JsonResponse:
    today = dt.datetime.now(dt.UTC).date()
    start = dt.datetime.combine(today - dt.timedelta(days=29), dt.time.min, tzinfo=dt.UTC)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"community": community_id, "start": start, "end": end, "month": start})
        posts, comments, joined, mau, likes, top = cursor.fetchone()
    return JsonResponse({"posts": posts, "comments": comments, "joined": joined, "mau": mau, "likes": likes,
                         "top_posts": top})


urlpatterns = [
    path("bench/naive/communities/<uuid:community_id>/analytics", naive_community_analytics),
    path("", include("community_service.urls")),
]
