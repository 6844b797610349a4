"""GET /communities/{id}/audit-log: moderation actions, newest first, filtered, for audit.view holders."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import AuditLogEntry
from tests.conftest import client_for
from tests.factories import AuditLogEntryFactory, CommunityFactory, PostFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    community = CommunityFactory()
    author = member_add(community)
    post = PostFactory(community=community, author=author, title="Spam?", content="Buy now")
    return community, author, post


def url(community) -> str:
    return url_for("audit-log", community_pk=community.pk)


def entry(community, **fields) -> AuditLogEntry:
    return AuditLogEntryFactory(community=community, action="post.pinned", target_type="post",
                                target_id=fields.pop("target_id", community.pk), reason=fields.pop("reason", ""),
                                **fields)


def test_audit_log_lists_moderation_newest_first_with_filters(setting):
    community, author, post = setting
    moderator = member_add(community, role="Moderator")
    mod = client_for(moderator)
    mod.post(url_for("post-pin", post_id=post.pk), {})
    mod.post(url_for("post-lock", post_id=post.pk), {"reason": "flame war"})
    mod.post(url_for("mute-list", community_pk=community.pk), {"user_id": str(author.pk), "duration_seconds": 60})
    actions = [e["action"] for e in mod.get(url(community)).data["items"]]
    assert actions == ["member.muted", "post.locked", "post.pinned"]
    locked = mod.get(url(community), {"action": "post.locked"}).data["items"]
    assert (locked[0]["reason"], locked[0]["actor"]["id"]) == ("flame war", str(moderator.pk))
    assert mod.get(url(community), {"actor": str(moderator.pk)}).data["total"] == 3
    assert mod.get(url(community), {"actor": str(UserFactory().pk)}).data["total"] == 0


def test_audit_log_is_paginated_in_the_page_envelope(setting):
    community, _, _ = setting
    for _ in range(3):
        entry(community)
    page = client_for(community.owner).get(url(community), {"page_size": 2, "page": 2}).data
    assert {key: page[key] for key in ("total", "page", "page_size", "pages", "total_exact")} == {
        "total": 3, "page": 2, "page_size": 2, "pages": 2, "total_exact": True}
    assert len(page["items"]) == 1


def test_audit_log_pages_deep_in_its_order_without_a_page_limit(setting, monkeypatch):
    from community_service.api.pagination import CappedCountPagination

    community, _, _ = setting
    made = [entry(community) for _ in range(7)]
    newest_first = [str(e.pk) for e in sorted(made, key=lambda e: (e.created_at, e.pk), reverse=True)]
    monkeypatch.setattr(CappedCountPagination, "DEFERRED_JOIN_OFFSET", 2)  # pages past row 2 read ids first
    api = client_for(community.owner)
    pages = [api.get(url(community), {"page": n, "page_size": 3}).data for n in (1, 2, 3)]
    assert [e["id"] for p in pages for e in p["items"]] == newest_first
    # An append-only log has no cursor: a page past the end is the usual 404, never page_too_deep.
    assert api.get(url(community), {"page": 5000, "page_size": 20}).status_code == 404


def test_audit_log_shows_only_this_communitys_entries(setting):
    community, _, _ = setting
    other = CommunityFactory()
    entry(other)
    assert client_for(community.owner).get(url(community)).data["total"] == 0
    # Owning one community gives no view of another's log.
    assert client_for(community.owner).get(url(other)).status_code == 403


def test_members_without_audit_view_are_refused(setting):
    community, author, _ = setting
    assert client_for(author).get(url(community)).status_code == 403
    assert client_for(UserFactory()).get(url(community)).status_code == 403


@pytest.mark.parametrize("params, field", [({"action": "post.exploded"}, "action"), ({"actor": "someone"}, "actor"),
                                           ({"action": ""}, "action")])
def test_bad_filters_are_400_naming_the_parameter(setting, params, field):
    community, _, _ = setting
    response = client_for(community.owner).get(url(community), params)
    assert (response.status_code, field in response.data) == (400, True), response.data


def test_audit_log_runs_the_same_number_of_queries_for_10_and_50_entries(setting):
    community, _, post = setting
    for _ in range(50):
        entry(community, target_id=post.pk)
    api = client_for(community.owner)
    api.get(url(community), {"page_size": 1})  # warm the access cache

    def count(size: int) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert len(api.get(url(community), {"page_size": size}).data["items"]) == size
        return len(ctx.captured_queries)

    assert count(10) == count(50)
