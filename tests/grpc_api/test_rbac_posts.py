"""PostService × every kind of caller, read from the REST matrix (tests/content/test_rbac_posts.py).

Each RPC must answer every caller as its REST route does: 2xx → OK, 401 → UNAUTHENTICATED,
403 → PERMISSION_DENIED, 404 → NOT_FOUND. REST's anonymous caller is the service calling
as itself here (reads allowed, writes need a user).
"""

import grpc
import pytest

from community_service.grpc_api.gen.community.v1 import posts_pb2 as S
from members.models import User
from tests.content import test_rbac_posts as rest
from tests.content.world import ACTORS, build_world
from tests.grpc_api.conftest import Refusal

pytestmark = pytest.mark.django_db(transaction=True)

BY_HTTP_STATUS = {401: grpc.StatusCode.UNAUTHENTICATED, 403: grpc.StatusCode.PERMISSION_DENIED,
                  404: grpc.StatusCode.NOT_FOUND}

# rpc name → (request builder, REST row it must agree with)
ROWS = {
    "GetPost": (lambda w: S.GetPostRequest(post_id=str(w.post.pk)), ("post-detail", "GET")),
    "ListPosts": (lambda w: S.ListPostsRequest(community_id=str(w.community.pk)), ("post-list", "GET")),
    "CreatePost": (lambda w: S.CreatePostRequest(community_id=str(w.community.pk), title="Hi", content="Hello all",
                                                 channel_id=str(w.channel.pk)), ("post-list", "POST")),
    "UpdatePost": (lambda w: S.UpdatePostRequest(post_id=str(w.post.pk), title="T2"), ("post-detail", "PATCH")),
    "DeletePost": (lambda w: S.DeletePostRequest(post_id=str(w.post.pk)), ("post-detail", "DELETE")),
}


def expected_code(status: int) -> grpc.StatusCode:
    return grpc.StatusCode.OK if 200 <= status < 300 else BY_HTTP_STATUS[status]


@pytest.mark.parametrize("rpc", list(ROWS))
def test_every_caller_gets_the_answer_rest_gives(grpc_client, rpc):
    build, row = ROWS[rpc]
    _, expected = rest.MATRIX[row]
    answers = {}
    for actor in ACTORS:
        world = build_world()  # per caller: a write by one must not change the next one's case
        User.objects.filter(pk=world.users["superadmin"].pk).update(is_superuser=True)
        user = None if actor == "anonymous" else world.users[actor]
        result = grpc_client.call(getattr(grpc_client.posts, rpc), build(world), user=user)
        answers[actor] = result.code if isinstance(result, Refusal) else grpc.StatusCode.OK
    assert answers == {actor: expected_code(expected[actor]) for actor in ACTORS}
