"""The typo vocabulary: words of names and titles, kept by triggers, and the corrections
searched with them."""

import importlib
import random

import pytest
from django.db import connection, transaction

from community_service.models import SearchWord
from community_service.search.query import corrected_tsquery
from content.models import Post
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import CommunityFactory, PostFactory, UserFactory
from tests.routes import url_for


def _words(*candidates: str) -> set[str]:
    return set(SearchWord.objects.filter(word__in=candidates).values_list("word", flat=True))


@pytest.mark.django_db
def test_names_and_titles_add_their_words_and_renames_add_the_new_ones():
    community = CommunityFactory(name="Kubernetes Operators of Lisbon")
    post = PostFactory(community=community, title="Helm charts, в продакшене",
                       content="the body is not vocabulary: zyzzyva")
    assert _words("kubernetes", "operators", "lisbon", "helm", "charts", "продакшене") == {
        "kubernetes", "operators", "lisbon", "helm", "charts", "продакшене"}
    assert _words("zyzzyva", "of") == set()  # bodies are not read; words under 3 letters are skipped
    Post.objects.filter(pk=post.pk).update(title="Terraform modules")
    community.name = "Nomad Operators"
    community.save()
    assert _words("terraform", "modules", "nomad", "helm") == {"terraform", "modules", "nomad", "helm"}


@pytest.mark.django_db
def test_each_word_is_corrected_and_the_words_are_all_required(client):
    CommunityFactory(name="Python Developers")
    CommunityFactory(name="Python Gardeners")
    CommunityFactory(name="Rust Developers")
    assert corrected_tsquery("pyhton develpers")[0] == "('developers':A) & ('python':A)"  # in lexeme order
    body = client.get(url_for("community-list"), {"search": "pyhton develpers"}).data
    assert body["match"] == "fuzzy"
    assert [c["name"] for c in body["items"]] == ["Python Developers"]
    assert body["items"][0]["highlight"]["name"] == "<mark>Python</mark> <mark>Developers</mark>"
    assert corrected_tsquery("qqqqqq zz") == ("", [])  # nothing spelled like it; too short to correct


@pytest.mark.django_db
def test_a_corrected_word_matches_titles_only_so_bodies_stay_unread(client):
    community = CommunityFactory(language="en")
    PostFactory(community=community, title="Release notes", content="Python inside")
    PostFactory(community=community, title="Python tips", content="x")
    body = client_for(UserFactory()).get(url_for("post-list", community_pk=community.pk), {"search": "pyhton"}).data
    assert (body["match"], [p["title"] for p in body["items"]]) == ("fuzzy", ["Python tips"])


@pytest.mark.django_db
def test_the_migration_backfill_finds_the_words_of_existing_rows():
    CommunityFactory(name="Chess Masters")
    community = CommunityFactory()
    PostFactory(community=community, title="Opening theory", content="x")
    SearchWord.objects.all().delete()
    with connection.cursor() as cursor:
        for module in ("communities.migrations.0011_community_name_search_words",
                       "content.migrations.0007_post_title_search_words"):
            cursor.execute(importlib.import_module(module).BACKFILL)
    assert _words("chess", "masters", "opening", "theory") == {"chess", "masters", "opening", "theory"}


@pytest.mark.django_db(transaction=True)
def test_writers_adding_the_same_new_words_at_once_neither_wait_nor_fail():
    community = CommunityFactory()
    words = [f"neologism{n}" for n in range(20)]

    def write(seed: int):
        # Two title writes per transaction, the words in a different order each time: with a
        # unique word and ON CONFLICT, such writers could deadlock.
        shuffled = random.Random(seed).sample(words, len(words))
        with transaction.atomic():
            # about creation: the insert's trigger adds the words; PostFactory's post_count
            # update would queue the writers on the community row.
            post = Post.objects.create(community=community, author=community.owner, title=" ".join(shuffled[:10]),
                                       content="x")
            post.title = " ".join(shuffled)
            post.save(update_fields=["title"])
        return post.pk

    assert len(set(run_concurrently([lambda n=n: write(n) for n in range(8)]))) == 8
    assert _words(*words) == set(words)
    assert corrected_tsquery("neologism7")[0].startswith("('neologism7':A")  # duplicates read once


@pytest.mark.django_db
def test_numbers_and_versions_are_not_words():
    community = CommunityFactory(name="Release 2024")
    PostFactory(community=community, title="Notes for 2.0.1, issue #12345", content="x")
    assert _words("2024", "2.0.1", "12345", "release", "notes", "issue") == {"release", "notes", "issue"}
