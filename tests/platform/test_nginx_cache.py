"""The shipped nginx (community_service/deploy/nginx.conf) in front of a live test server, with
Debian's nginx (bench/nginx_local.py rewrites only the upstream, resolver, listen address and
cache directory): anonymous public reads are cached, nothing a member reads is ever served to
someone else, and anonymous clients are rate-limited before the cache.
"""

import importlib.util
import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from communities.models import CommunityType
from members.models import MemberStatus
from tests.conftest import create_test_token
from tests.factories import CommunityFactory, UserFactory, member_add
from tests.routes import url_for

_spec = importlib.util.spec_from_file_location(
    "nginx_local", Path(__file__).resolve().parents[2] / "bench" / "nginx_local.py")
nginx_local = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nginx_local)

pytestmark = [
    pytest.mark.skipif(not nginx_local.NGINX.exists(),
                       reason="Debian's nginx is not installed at /usr/sbin/nginx (apt-get install nginx-light)"),
    pytest.mark.django_db(transaction=True),
]


def _free_port() -> int:
    # helper 5's range (18600-18699): the machine is shared
    for port in range(18650, 18700):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 18650-18699")


def _get(url: str, **headers: str) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read(), dict(error.headers)


@pytest.fixture
def nginx(live_server):
    upstream = int(live_server.url.rsplit(":", 1)[1])
    with nginx_local.LocalNginx(upstream_port=upstream, listen_port=_free_port(), workers="1") as running:
        yield running


def test_a_members_private_read_is_never_served_to_an_anonymous_client(nginx):
    owner = UserFactory()
    private = CommunityFactory(owner=owner, community_type=CommunityType.PRIVATE, name="Secret club")
    member = member_add(private, role="Member", status=MemberStatus.ACTIVE)
    bearer = {"Authorization": f"Bearer {create_test_token(member.pk)}"}
    for path in (url_for("community-detail", pk=private.pk), url_for("post-list", community_pk=private.pk),
                 url_for("community-list")):
        for _ in range(2):  # twice: a stored answer would be a HIT the second time
            status, body, headers = _get(nginx.url + path, **bearer)
            assert headers["X-Cache-Status"] == "BYPASS", (path, headers)
            assert "private" in headers["Cache-Control"], (path, headers)
        for _ in range(2):
            status, body, headers = _get(nginx.url + path)
            assert b"Secret club" not in body, path
            # The community list is shared between anonymous callers (it lists no private community).
            assert status == (200 if path == url_for("community-list") else 404), path
        # A cookie names someone too: never from the cache.
        assert _get(nginx.url + path, Cookie="sessionid=x")[2]["X-Cache-Status"] == "BYPASS"


def test_an_anonymous_public_read_is_cached_and_revalidated(nginx):
    community = CommunityFactory(community_type=CommunityType.PUBLIC, name="Open garden")
    member = member_add(community, role="Member", status=MemberStatus.ACTIVE)
    path = url_for("community-detail", pk=community.pk)
    # A member's read first: not stored, so the anonymous read after it is a miss.
    signed_in = _get(nginx.url + path, Authorization=f"Bearer {create_test_token(member.pk)}")
    assert signed_in[0] == 200 and signed_in[2]["X-Cache-Status"] == "BYPASS"
    first, second = _get(nginx.url + path), _get(nginx.url + path)
    assert (first[0], second[0]) == (200, 200)
    assert (first[2]["X-Cache-Status"], second[2]["X-Cache-Status"]) == ("MISS", "HIT")
    assert first[1] == second[1] and b"Open garden" in second[1]
    assert second[2]["ETag"] == first[2]["ETag"]
    assert second[2]["Cache-Control"].startswith("public")
    # The client's own revalidation goes through nginx too.
    assert _get(nginx.url + path, **{"If-None-Match": first[2]["ETag"]})[0] == 304


def test_anonymous_clients_are_rate_limited_in_front_of_the_cache(nginx):
    community = CommunityFactory(community_type=CommunityType.PUBLIC)
    url = nginx.url + url_for("community-detail", pk=community.pk)
    answers = [_get(url) for _ in range(130)]  # the burst is 120, refilled at 2 a second
    refused = [headers for status, _, headers in answers if status == 429]
    assert answers[0][0] == 200 and refused
    assert refused[0]["Content-Type"].startswith("text/html")  # nginx's page, not the app's JSON 429
    member = member_add(community, role="Member", status=MemberStatus.ACTIVE)
    assert _get(url, Authorization=f"Bearer {create_test_token(member.pk)}")[0] == 200  # the app's throttle's job
