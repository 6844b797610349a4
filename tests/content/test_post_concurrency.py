"""post_count stays exact when many members post and delete at once (threads, own connections)."""

import pytest

from content.models import Post
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import CommunityFactory, MemberFactory, PostFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_posts_and_deletes_keep_post_count_exact():
    community = CommunityFactory()
    role = community.roles.get(name="Member")
    authors = []
    for _ in range(30):
        user = UserFactory()
        MemberFactory(community=community, user=user, roles=[role])
        authors.append(user)
    doomed = [PostFactory(community=community, author=a, title="old", content="x") for a in authors[:10]]

    creates = [lambda u=u: client_for(u).post(url_for("post-list", community_pk=community.pk),
                                              {"title": "hi", "content": "there"}).status_code for u in authors]
    deletes = [lambda p=p: client_for(p.author).delete(url_for("post-detail",
                                                               post_id=p.pk)).status_code for p in doomed]
    results = run_concurrently(creates + deletes)
    assert results.count(201) == 30 and results.count(204) == 10
    community.refresh_from_db()
    visible = Post.objects.filter(community=community, deleted_at__isnull=True, status="published").count()
    assert community.post_count == visible == 30
