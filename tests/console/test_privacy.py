"""A community moderator never sees a member's email address in the console, on any page they
can reach, nor finds people by it; a superuser does."""

import re
from urllib.parse import urljoin, urlparse

import pytest
from django.urls import reverse

from members.models import User
from tests.console.conftest import console_client, every_row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="([^"#]+)"')
NOT_A_PAGE = ("logout", "password_change", "/jsi18n/", "/static/", "/media/", "/r/")


def _reachable_pages(client, start: list[str], limit: int = 200) -> dict[str, str]:
    """Every console page a link leads to from `start` (GETs only), with its HTML. Sorted and
    filtered variants of a list (a query string) show the same rows and are not followed."""
    seen: dict[str, str] = {}
    todo = list(start)
    while todo and len(seen) < limit:
        url = todo.pop()
        if url in seen:
            continue
        response = client.get(url)
        seen[url] = response.content.decode() if response.status_code == 200 else ""
        for href in LINK.findall(seen[url]):
            target = urljoin(url, href.replace("&amp;", "&"))
            parts = urlparse(target)
            if parts.path.startswith("/admin/") and not parts.query and not any(p in target for p in NOT_A_PAGE):
                todo.append(target)
    return seen


def test_a_community_moderator_sees_no_email_address_on_any_page_they_reach():
    world = every_row()
    client = console_client(world.moderator)
    pages = _reachable_pages(client, [reverse("admin:index") + "?all=1", reverse("admin:content_report_queue")])
    emails = set(User.objects.values_list("email", flat=True))
    assert len(pages) > 20  # lists and object pages of people, content and reports
    assert any("/admin/members/user/" in url and "/change/" in url for url in pages)
    assert any("/admin/members/member/" in url and "/change/" in url for url in pages)
    for url, html in pages.items():
        shown = {email for email in emails if email in html}
        assert not shown, f"{url} shows {shown}"


def test_a_community_moderator_cannot_find_people_by_email():
    world = every_row()
    client = console_client(world.moderator)
    for name in ("user", "member"):
        page = client.get(reverse(f"admin:members_{name}_changelist"), {"q": "bob@example.com"})
        assert page.context["cl"].result_count == 0
    found = client.get(reverse("admin:autocomplete"), {"term": "bob@example", "app_label": "content",
                                                         "model_name": "post", "field_name": "author"})
    assert found.status_code in (200, 403) and "bob" not in found.content.decode()


def test_a_superuser_sees_and_searches_email_addresses():
    world = every_row()
    client = console_client(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:members_user_changelist"), {"q": "bob@example.com"})
    assert page.context["cl"].result_count == 1 and "bob@example.com" in page.content.decode()
    detail = client.get(reverse("admin:members_user_change", args=[world.bob.pk]))
    assert "bob@example.com" in detail.content.decode()


def test_every_page_of_every_model_a_moderator_may_view_hides_email_addresses():
    """Not only the pages links lead to: each registered model's list, each of its rows' pages
    (as far as the moderator sees them), the queue, and every bulk action's confirmation or
    form page over all the rows they see."""
    from django.contrib import admin
    from django.contrib.admin import helpers
    from django.test import RequestFactory

    world = every_row()
    client = console_client(world.moderator)
    request = RequestFactory().get("/admin/")
    request.user = world.moderator
    emails = set(User.objects.values_list("email", flat=True))
    assert "bob@example.com" in emails and "mia@example.com" in emails
    pages: dict[str, str] = {}

    def visit(url: str, response=None) -> None:
        response = response or client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()

    visit(reverse("admin:index"))
    visit(reverse("admin:content_report_queue"))
    viewed = []
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        opts = model._meta
        viewed.append(opts.label)
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        visit(changelist)
        rows = list(model_admin.get_queryset(request).values_list("pk", flat=True)[:10])
        for pk in rows:
            visit(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
        for action in model_admin.get_actions(request):
            if rows:
                # The first step of an action: a confirmation or form page, or (a direct action)
                # its messages on the list it returns to; either way what the moderator reads.
                response = client.post(changelist, {"action": action, helpers.ACTION_CHECKBOX_NAME: rows},
                                       follow=True)
                visit(f"{changelist}#{action}", response)
    # The people, the content, the reports and the audit log are among them.
    assert {"members.User", "members.Member", "content.Post", "content.Comment", "content.Report",
            "communities.AuditLogEntry"} <= set(viewed)
    for url, html in pages.items():
        shown = {email for email in emails if email in html}
        assert not shown, f"{url} shows {shown}"
