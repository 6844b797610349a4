"""Relevance on a small fixed corpus in Russian and English: the expected top results.

Rules: a title (or name) match beats a body match; the exact spelling beats another form
of the word; between equal matches the newest wins; every form of a word finds it.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.models import Community
from content.models import Post
from tests.conftest import client_for
from tests.factories import CommunityFactory, PostFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def post(community: Community, title: str, content: str, *, days_ago: int = 0) -> Post:
    return PostFactory(community=community, title=title, content=content, published_at=NOW - timedelta(days=days_ago))


@pytest.fixture
def ru() -> Community:
    community = CommunityFactory(name="Клуб любителей программирования", language="ru",
                                 description="Обсуждаем разработку и языки")
    post(community, "Заметки о встрече", "Говорили про программирование и тесты", days_ago=1)
    post(community, "Программирование на Python", "Основы языка для начинающих", days_ago=30)
    post(community, "Курс программирования", "Двенадцать занятий", days_ago=20)
    post(community, "Задачи по программированию", "Сборник упражнений", days_ago=2)
    post(community, "Встреча клуба", "Старая встреча", days_ago=10)
    post(community, "Встреча клуба", "Новая встреча", days_ago=3)
    post(community, "Ёлка во дворе", "Праздник", days_ago=4)
    return community


@pytest.fixture
def en() -> Community:
    community = CommunityFactory(name="Python Developers", language="en", description="Deploying Django apps")
    post(community, "Gardening tips", "We mention deployment once", days_ago=1)
    post(community, "Deployment with gunicorn", "Workers and timeouts", days_ago=40)
    post(community, "Running a meetup", "Chairs and coffee", days_ago=15)
    post(community, "She runs the meetups", "Every month", days_ago=2)
    post(community, "Release notes", "Old release", days_ago=9)
    post(community, "Release notes", "New release", days_ago=5)
    return community


def titles(community: Community, query: str, **params: object) -> list[str]:
    body = client_for(UserFactory()).get(url_for("post-list", community_pk=community.pk), {"search": query, **params})
    assert body.status_code == 200, body.data
    return [item["title"] for item in body.data["items"]]


def test_title_beats_body_in_russian(ru):
    found = titles(ru, "программирование")
    assert found[0] == "Программирование на Python"
    assert found.index("Заметки о встрече") > found.index("Программирование на Python")


def test_exact_form_beats_another_form_in_russian(ru):
    found = titles(ru, "программирования")
    assert found[0] == "Курс программирования"
    # The other forms are found too (stemming), after the exact one.
    assert set(found) >= {"Программирование на Python", "Задачи по программированию", "Заметки о встрече"}


def test_the_newest_breaks_a_tie_in_russian(ru):
    assert titles(ru, "встреча клуба")[:2] == ["Встреча клуба", "Встреча клуба"]
    body = client_for(UserFactory()).get(url_for("post-list", community_pk=ru.pk), {"search": "встреча клуба"}).data
    assert [item["content"] for item in body["items"][:2]] == ["Новая встреча", "Старая встреча"]


def test_yo_and_ye_are_the_same_letter(ru):
    assert titles(ru, "елка") == ["Ёлка во дворе"]


def test_title_beats_body_in_english(en):
    assert titles(en, "deployment")[:2] == ["Deployment with gunicorn", "Gardening tips"]


def test_exact_form_beats_another_form_in_english(en):
    assert titles(en, "runs")[:2] == ["She runs the meetups", "Running a meetup"]
    assert titles(en, "running")[:2] == ["Running a meetup", "She runs the meetups"]


def test_the_newest_breaks_a_tie_in_english(en):
    body = client_for(UserFactory()).get(url_for("post-list", community_pk=en.pk), {"search": "release notes"}).data
    assert [item["content"] for item in body["items"]] == ["New release", "Old release"]


def community_names(query: str) -> list[str]:
    body = client_for(UserFactory()).get(url_for("community-list"), {"search": query})
    assert body.status_code == 200, body.data
    return [item["name"] for item in body.data["items"]]


def test_a_russian_community_is_found_by_any_form_of_its_words(ru, en):
    for query in ("программирования", "программирование", "программированию", "любитель", "клубы", "разработка"):
        assert community_names(query) == ["Клуб любителей программирования"], query


def test_a_name_match_beats_a_description_match_across_languages(ru, en):
    CommunityFactory(name="Gardeners", language="en", description="We grow python plants, not code")
    assert community_names("python") == ["Python Developers", "Gardeners"]
    assert community_names("django") == ["Python Developers"]
