"""The console speaks of people and content, not ids: every page's model has proper English
names, every list names its rows in words, and statuses read as the API names them."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from content.models import Report
from tests.console.conftest import console_client, every_row
from tests.factories import UserFactory

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)
# Plurals Django makes by adding "s" that English does not ("report entrys", "boxs", "classs").
BAD_PLURAL = re.compile(r"([^aeiou]ys|(s|x|z|ch|sh)s)$")


class _Text(HTMLParser):
    """The words a reader sees: text nodes outside scripts and styles (not attributes, so not
    the ids in links, checkboxes and hidden inputs)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.chunks.append(data)


def visible_text(html: bytes) -> str:
    parser = _Text()
    parser.feed(html.decode())
    return " ".join(parser.chunks)


def result_rows(html: bytes) -> str:
    """The words of a changelist's table (not its filters or actions)."""
    table = re.search(r'<table id="result_list">.*?</table>', html.decode(), re.DOTALL)
    assert table, "no result table on the page"
    return visible_text(table.group().encode())


def _models_on_pages() -> list:
    """Every model a console page shows: the registered ones and their inlines'."""
    request = RequestFactory().get("/admin/")
    request.user = UserFactory.build(is_staff=True, is_superuser=True)
    models = set()
    for model, model_admin in admin.site._registry.items():
        models.add(model)
        models.update(inline.model for inline in model_admin.inlines)
    return sorted(models, key=lambda model: model._meta.label_lower)


@pytest.mark.parametrize("model", _models_on_pages(), ids=lambda model: model._meta.label_lower)
def test_every_model_on_a_console_page_has_proper_english_names(model):
    singular, plural = str(model._meta.verbose_name), str(model._meta.verbose_name_plural)
    assert not BAD_PLURAL.search(plural.lower()), f"{model._meta.label}: '{plural}'"
    # Not a class name run together ("reportentry"): words, as a reader writes them.
    assert singular.lower() != model.__name__.lower() or " " not in re.sub(r"(?<!^)([A-Z])", r" \1", model.__name__)
    assert plural.lower() != singular.lower()


@pytest.mark.django_db
def test_no_console_list_shows_a_bare_uuid():
    every_row()
    client = console_client(UserFactory(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url, {"attention": "all"} if model._meta.model_name == "outboxevent" else {})
        assert response.status_code == 200, url
        rows = response.context["cl"].result_count
        assert rows, f"{url}: every_row() made no row to show"
        found = UUID.search(visible_text(response.content))
        assert found is None, f"{url} shows {found.group() if found else ''} as text"


@pytest.mark.django_db
def test_a_report_reads_as_its_reason_and_target():
    world = every_row()
    assert str(world.report) == "Spam — post 'Buy cheap watches today' by bob in Python Developers › #general"
    by_target = {report.target_type: str(report) for report in Report.objects.all()}
    assert by_target["comment"] == ("Harassment — comment 'This is spam, surely' by carol on 'Buy cheap watches "
                                    "today' in Python Developers")
    assert by_target["member"] == "Other — member bob in Python Developers"
    page = console_client(world.moderator).get(reverse("admin:content_report_change", args=[world.report.pk]))
    assert "Spam — post &#x27;Buy cheap watches today&#x27; by bob" in page.content.decode()
    assert "report entries" in visible_text(page.content).lower()


@pytest.mark.django_db
def test_lists_show_statuses_as_the_api_names_them_and_the_audit_log_names_its_targets():
    world = every_row()
    client = console_client(world.moderator)
    world.post.deleted_at = world.post.created_at
    world.post.save(update_fields=["deleted_at"])
    posts = result_rows(client.get(reverse("admin:content_post_changelist")).content)
    assert "removed" in posts and "published" not in posts.lower().replace("published at", "")
    comments = result_rows(client.get(reverse("admin:content_comment_changelist")).content)
    assert "This is spam, surely" in comments and "Buy cheap watches today" in comments
    audit = result_rows(client.get(reverse("admin:communities_auditlogentry_changelist")).content)
    assert "member bob" in audit and "post 'Buy cheap watches today' by bob" in audit
    assert "comment 'This is spam, surely' by carol" in audit and "report: Spam — post" in audit
