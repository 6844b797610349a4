"""Comments and likes × every kind of caller → expected status (see tests/content/world.py)."""

import pytest

from tests.content.world import ACTORS, MODERATORS, SPEAKERS, allow, everyone, run_case
from tests.routes import url_for

COMMENTS = lambda w: url_for("post-comment-list", post_id=w.post.pk)  # noqa: E731
COMMENT = lambda w: url_for("comment-detail", comment_id=w.comment.pk)  # noqa: E731

# (url name, method) → (request builder, expected status per actor)
MATRIX = {
    ("post-comment-list", "GET"): (lambda w: (COMMENTS(w), None), everyone(200)),
    # Search in a public community: anyone who can view it; banned users cannot.
    ("community-comment-search", "GET"): (
        lambda w: (url_for("community-comment-search", community_pk=w.community.pk) + "?search=hello", None),
        everyone(200),
    ),
    ("post-comment-list", "POST"): (lambda w: (COMMENTS(w), {"content": "Me too"}), allow(201, SPEAKERS)),
    ("comment-detail", "PATCH"): (lambda w: (COMMENT(w), {"content": "Edited"}), allow(200, {"author"})),
    ("comment-detail", "DELETE"): (lambda w: (COMMENT(w), None), allow(204, {"author"} | MODERATORS)),
    ("post-like", "POST"): (lambda w: (url_for("post-like", post_id=w.post.pk), None), allow(200, SPEAKERS)),
    ("post-like", "DELETE"): (lambda w: (url_for("post-like", post_id=w.post.pk), None), allow(200, SPEAKERS)),
    ("comment-like", "POST"): (lambda w: (f"{COMMENT(w)}/like", None), allow(200, SPEAKERS)),
    ("comment-like", "DELETE"): (lambda w: (f"{COMMENT(w)}/like", None), allow(200, SPEAKERS)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", sorted(MATRIX))
@pytest.mark.parametrize("actor", ACTORS)
def test_comment_and_like_endpoints_answer_each_caller_as_the_table_says(endpoint: tuple[str, str], actor: str):
    run_case(MATRIX, endpoint, actor)
