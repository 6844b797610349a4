"""Search behaviour over HTTP: typos, prefixes, `match`, highlights, the count cap and
deep pages, languages, and the cost of a page."""

# Why this is long: one test per search behaviour (languages, prefixes, typos, highlights, limits) over HTTP.

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from communities.models import Community
from community_service.search import query as search
from content.models import Comment
from tests.conftest import client_for
from tests.factories import ChannelFactory, CommentFactory, CommunityFactory, PostFactory, UserFactory
from tests.routes import url_for

pytestmark = pytest.mark.django_db
LIST = url_for("community-list")


def find(client, **params: object) -> dict:
    response = client.get(LIST, params)
    assert response.status_code == 200, response.data
    return response.data


def test_a_typo_finds_the_community_by_trigram_similarity(client):
    CommunityFactory(name="Python Developers")
    CommunityFactory(name="Клуб любителей программирования", language="ru")
    CommunityFactory(name="Gardening")
    body = find(client, search="pyhton")
    assert [c["name"] for c in body["items"]] == ["Python Developers"]
    assert body["match"] == "fuzzy" and body["items"][0]["match"] == "fuzzy"
    assert find(client, search="програмирования")["items"][0]["name"] == "Клуб любителей программирования"


def test_full_text_matches_come_first_and_say_so(client):
    CommunityFactory(name="Python Developers")
    body = find(client, search="python")
    assert body["match"] == "fulltext"
    assert body["items"][0]["match"] == "fulltext"
    assert body["items"][0]["highlight"]["name"] == "<mark>Python</mark> Developers"


def test_a_prefix_finds_words_as_you_type(client):
    CommunityFactory(name="Programming in Go")
    CommunityFactory(name="Клуб любителей программирования", language="ru")
    assert [c["name"] for c in find(client, search="prog")["items"]] == ["Programming in Go"]
    assert find(client, search="prog")["match"] == "fulltext"
    assert [c["name"] for c in find(client, search="прогр")["items"]] == ["Клуб любителей программирования"]
    # The words before the last one match as usual; a one-letter last word is no prefix
    # (full text finds nothing, the name's spelling is close: a fuzzy match).
    assert [c["name"] for c in find(client, search="programming go")["items"]] == ["Programming in Go"]
    assert find(client, search="programming go")["match"] == "fulltext"
    assert find(client, search="programming g")["match"] == "fuzzy"


def test_names_match_exactly_even_when_the_language_drops_the_words(client):
    # "The Who": both English stop words; search_simple still indexes them.
    CommunityFactory(name="The Who", description="Fans of the band")
    assert [c["name"] for c in find(client, search="the who")["items"]] == ["The Who"]


def test_highlights_are_escaped_html_with_marks(client):
    CommunityFactory(name="<b>Rust</b> & friends", description="We <script>write</script> rust every day. " * 20)
    item = find(client, search="rust")["items"][0]
    assert item["highlight"]["name"] == "&lt;b&gt;<mark>Rust</mark>&lt;/b&gt; &amp; friends"
    assert "<script>" not in item["highlight"]["description"]
    assert "<mark>rust</mark>" in item["highlight"]["description"]
    assert len(item["highlight"]["description"]) < len(item["description"])  # fragments, not the whole text


def test_a_short_description_is_highlighted_whole_with_the_text_after_the_last_match(client):
    CommunityFactory(name="Rustaceans", description="We write rust every day, then sleep.")
    item = find(client, search="rust")["items"][0]
    assert item["highlight"]["description"] == "We write <mark>rust</mark> every day, then sleep."


def test_a_long_description_keeps_the_words_after_its_last_match(client):
    filler = " ".join(f"word{i}" for i in range(60))
    CommunityFactory(name="Gardeners", description=f"{filler} we grow tomatoes in the sun, then we rest.")
    highlight = find(client, search="tomatoes")["items"][0]["highlight"]["description"]
    assert highlight.endswith("<mark>tomatoes</mark> in the sun, then we rest.")
    assert highlight.startswith("word54 ")  # a fragment: eight words of lead, not the whole filler


def test_the_count_is_exact_up_to_the_cap_and_says_more_past_it(client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 4)
    for i in range(6):
        CommunityFactory(name=f"Chess club {i}")
    body = find(client, search="chess", page_size=2)
    assert (body["total"], body["total_capped"], body["pages"]) == (4, True, 2)
    CommunityFactory(name="Go players")
    body = find(client, search="go")
    assert (body["total"], body["total_capped"]) == (1, False)


def test_a_page_past_the_cap_is_refused_with_a_400_that_says_so(client, monkeypatch):
    monkeypatch.setattr(search, "MAX_RESULTS", 4)
    CommunityFactory(name="Chess club")
    assert client.get(LIST, {"search": "chess", "page_size": 2, "page": 2}).status_code == 200
    response = client.get(LIST, {"search": "chess", "page_size": 2, "page": 3})
    assert response.status_code == 400
    assert "first 4" in response.data["page"][0]
    # Without a search the list pages as before (an empty page past the end is DRF's 404).
    assert client.get(LIST, {"page_size": 2, "page": 3}).status_code == 404


def test_an_explicit_ordering_orders_the_matches(client):
    CommunityFactory(name="Chess masters", member_count=5)
    CommunityFactory(name="Chess", member_count=50)
    CommunityFactory(name="Chess for kids chess chess", member_count=20)
    names = [c["name"] for c in find(client, search="chess", ordering="-member_count")["items"]]
    assert names == ["Chess", "Chess for kids chess chess", "Chess masters"]


def test_search_costs_the_same_queries_for_a_small_and_a_big_page(client, django_assert_num_queries, monkeypatch):
    # 30 matches in 30 rows would be dense enough to walk on (and whether that is cheaper than
    # the index depends on the table's statistics): the walk window is kept below that here.
    monkeypatch.setattr(search, "DENSE_WINDOW", search.RECENT_WINDOW)
    for i in range(30):
        CommunityFactory(name=f"Chess club {i}")

    def queries_for(page_size: int) -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            assert len(find(client, search="chess", page_size=page_size)["items"]) == page_size
        return len(ctx.captured_queries)

    assert queries_for(5) == queries_for(25)
    # Parse the query once; check the newest rows; with few matches there, the index pass in
    # its own transaction (savepoint, plan settings, query, release); the page's rows.
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(7):
        find(client, search="chess", page_size=5)


def test_posts_search_says_how_it_matched_and_highlights_the_page(client):
    community = CommunityFactory(language="en")
    PostFactory(community=community, title="Deploying Python apps", content="Gunicorn, nginx and a <b>tip</b>.")
    url = url_for("post-list", community_pk=community.pk)
    body = client_for(UserFactory()).get(url, {"search": "deploy"}).data
    assert body["match"] == "fulltext" and body["total_capped"] is False
    assert body["items"][0]["highlight"]["title"] == "<mark>Deploying</mark> Python apps"
    typo = client_for(UserFactory()).get(url, {"search": "pyhton"}).data
    assert (typo["match"], [p["title"] for p in typo["items"]]) == ("fuzzy", ["Deploying Python apps"])


def test_changing_the_language_reindexes_the_community_its_posts_and_comments(django_capture_on_commit_callbacks):
    community = CommunityFactory(name="Клуб", language="en", description="Обсуждаем разработку")
    post = PostFactory(community=community, title="Разработка игр", content="Мы делаем разработку игр")
    comment = CommentFactory(post=post, content="Хорошая разработка")
    owner = client_for(community.owner)
    url = url_for("post-list", community_pk=community.pk)
    # English configuration: no Russian stems, at best a fuzzy match on the title.
    assert owner.get(url, {"search": "разработке"}).data["match"] == "fuzzy"
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.patch(f"{LIST}/{community.pk}", {"language": "ru"}, format="json")
    assert response.status_code == 200 and response.data["language"] == "ru"
    assert owner.get(url, {"search": "разработке"}).data["match"] == "fulltext"
    assert [c["name"] for c in owner.get(LIST, {"search": "разработки"}).data["items"]] == ["Клуб"]
    stemmed = Comment.objects.filter(pk=comment.pk).extra(
        where=["search_vector @@ to_tsquery('search_russian', 'разработке')"])
    assert stemmed.exists()


def test_a_language_is_checked_and_only_community_update_may_change_it(client):
    community = CommunityFactory()
    owner = client_for(community.owner)
    response = owner.patch(f"{LIST}/{community.pk}", {"language": "xx"}, format="json")
    assert response.status_code == 400 and "language" in response.data
    stranger = client_for(UserFactory())
    assert stranger.patch(f"{LIST}/{community.pk}", {"language": "ru"}, format="json").status_code in (403, 404)
    community.refresh_from_db()
    assert community.language == "en"


def test_new_communities_take_the_default_language_or_the_one_given(auth_client, settings):
    assert auth_client.post(LIST, {"name": "A", "community_type": "public"}).data["language"] == "en"
    body = auth_client.post(LIST, {"name": "Б", "community_type": "public", "language": "ru"}).data
    assert Community.objects.get(pk=body["id"]).language == "ru"


def test_global_search_finds_a_russian_community_and_posts_with_match_and_cap():
    community = CommunityFactory(name="Клуб любителей программирования", language="ru")
    PostFactory(community=community, title="Основы программирования", content="Текст")
    body = client_for(UserFactory()).get(url_for("search"), {"q": "программирование"}).data
    assert [c["name"] for c in body["communities"]] == ["Клуб любителей программирования"]
    assert [p["title"] for p in body["posts"]["items"]] == ["Основы программирования"]
    assert body["posts"]["match"] == "fulltext" and body["posts"]["total_capped"] is False
    assert body["posts"]["items"][0]["highlight"]["title"] == "Основы <mark>программирования</mark>"


def test_the_backfill_recomputes_vectors_in_batches():
    from community_service.search.backfill import backfill_in_batches

    communities = [CommunityFactory(name=f"Шахматы {i}", language="ru") for i in range(5)]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE communities_community SET search_vector = NULL")
    assert backfill_in_batches(connection, table="communities_community", touch="name", batch_size=2) == 5
    assert Community.objects.filter(pk__in=[c.pk for c in communities], search_vector__isnull=False).count() == 5


def test_comments_are_searched_in_the_community_language_on_readable_posts_only():
    community = CommunityFactory(language="ru")
    hidden = ChannelFactory(community=community, name="staff", slug="staff", members_only=True)
    public_post = PostFactory(community=community, title="Пост", content="Текст")
    hidden_post = PostFactory(community=community, title="Скрытый", content="Текст", channel=hidden)
    CommentFactory(post=public_post, content="Отличные <i>встречи</i> по выходным")
    CommentFactory(post=hidden_post, content="Встречи staff")
    url = url_for("community-comment-search", community_pk=community.pk)
    body = client_for(UserFactory()).get(url, {"search": "встреча"}).data
    # The text as written (markup too), escaped.
    assert [c["highlight"]["content"] for c in body["items"]] == [
        "Отличные &lt;i&gt;<mark>встречи</mark>&lt;/i&gt; по выходным"]
    assert (body["total"], body["match"]) == (1, "fulltext")
    owner = client_for(community.owner).get(url, {"search": "встреча"}).data
    assert owner["total"] == 2
    assert client_for(UserFactory()).get(url).status_code == 400


def test_a_gated_post_matches_on_its_title_only_and_shows_no_body_to_outsiders():
    import uuid

    community = CommunityFactory(language="en")
    PostFactory(community=community, title="Members meetup", content="The secret venue is the lighthouse",
                required_level_ids=[uuid.uuid4()])
    url = url_for("post-list", community_pk=community.pk)
    stranger = client_for(UserFactory())
    assert stranger.get(url, {"search": "lighthouse"}).data["total"] == 0
    found = stranger.get(url, {"search": "meetup"}).data["items"]
    assert [p["title"] for p in found] == ["Members meetup"]
    assert found[0]["highlight"]["content"] is None
    assert client_for(community.owner).get(url, {"search": "lighthouse"}).data["total"] == 1
    assert client_for(UserFactory()).get(url_for("search"), {"q": "lighthouse"}).data["posts"]["total"] == 0


def test_the_migration_backfill_indexes_cyrillic_communities_in_russian():
    from importlib import import_module

    russian, english = CommunityFactory(name="Клуб любителей шахмат"), CommunityFactory(name="Chess lovers")
    import_module("communities.migrations.0006_backfill_search_vector").backfill(None, type(
        "Editor", (), {"connection": connection})())
    russian.refresh_from_db(), english.refresh_from_db()
    assert (russian.language, english.language) == ("ru", "en")
    assert [c["name"] for c in client_for(UserFactory()).get(LIST, {"search": "шахматы"}).data["items"]] == [
        "Клуб любителей шахмат"]


def _scaled_down(monkeypatch, *, chess: Callable[[int], bool], analyze: bool = False) -> None:
    """The search constants scaled down to a 40-community table (a window of 4 newest rows,
    walks up to 20, 5 results), community i named "Chess club i" when `chess(i)`; `analyze`
    gives the table statistics (reltuples > 0, kept: ANALYZE is not rolled back)."""
    monkeypatch.setattr(search, "RECENT_WINDOW", 4)
    monkeypatch.setattr(search, "DENSE_WINDOW", 20)
    monkeypatch.setattr(search, "MAX_RESULTS", 5)
    for i in range(40):
        CommunityFactory(name=f"Chess club {i}" if chess(i) else f"Go club {i}")
    if analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE communities_community")


def test_dense_matches_are_the_newest_ones_without_the_text_index(client, monkeypatch):
    # Scaled down: every other community of 40 matches; the newest 4 rows hold 2 matches, so
    # the newest 4 * (5 + 1) / 2 * DENSE_MARGIN rows should hold the 6 candidates needed. The
    # index is priced as in a big table (whatever statistics this small one has).
    monkeypatch.setattr(search, "INDEX_ENTRY_COST", 1000.0)
    _scaled_down(monkeypatch, chess=lambda i: i % 2 == 1)
    newest_chess = [f"Chess club {i}" for i in range(39, 27, -2)]  # created last: first in the list
    with CaptureQueriesContext(connection) as ctx:
        body = find(client, search="chess", page_size=10)
    assert (body["total"], body["total_capped"]) == (5, True)
    assert {c["name"] for c in body["items"]} <= set(newest_chess)
    # The text index was not asked: its bitmap would have found old and new matches alike.
    assert not any("SET LOCAL enable_seqscan" in q["sql"] for q in ctx.captured_queries)


def test_dense_matches_in_a_small_table_come_from_the_text_index_when_it_costs_less(client, monkeypatch):
    # As above, but the table's statistics say it is small: the bitmap over all its matches
    # (0.5 * ~40 rows * INDEX_ENTRY_COST) is priced under walking 11 more rows.
    _scaled_down(monkeypatch, chess=lambda i: i % 2 == 1, analyze=True)
    with CaptureQueriesContext(connection) as ctx:
        body = find(client, search="chess", page_size=10)
    assert (body["total"], body["total_capped"]) == (5, True)
    assert all(c["name"].startswith("Chess club") for c in body["items"])
    assert any("SET LOCAL enable_seqscan" in q["sql"] for q in ctx.captured_queries)


def test_dense_typo_corrections_are_walked_whatever_the_statistics(client, monkeypatch):
    # Corrections match titles/names only (weight A), which the index cannot see: its bitmap
    # would hold every row with the word anywhere, so the density does not price it.
    _scaled_down(monkeypatch, chess=lambda i: i % 2 == 1, analyze=True)
    with CaptureQueriesContext(connection) as ctx:
        body = find(client, search="chss")
    assert body["match"] == "fuzzy" and (body["total"], body["total_capped"]) == (5, True)
    # One index pass: the full-text attempt's (nothing in the newest rows); the corrections walked.
    assert sum("SET LOCAL enable_indexscan = off" in q["sql"] for q in ctx.captured_queries) == 1


def test_sparse_matches_still_come_from_the_text_index(client, monkeypatch):
    _scaled_down(monkeypatch, chess=lambda i: i in (0, 39))
    body = find(client, search="chess")
    assert sorted(c["name"] for c in body["items"]) == ["Chess club 0", "Chess club 39"]


def test_a_long_text_shows_the_two_stretches_with_the_most_matches_in_text_order():
    start, stop = search._START, search._STOP
    words = [f"w{i}" for i in range(200)]
    for i in (10, 100, 104, 150, 152, 154):
        words[i] = f"{start}hit{stop}"
    words[166], words[167] = f"{start}two", f"words{stop}"  # one mark over two words, never cut
    highlight = search.marked_html(" ".join(words), whole=False)
    first, second = highlight.split(" … ")
    assert first.split()[0] == "w92" and first.count("<mark>") == 2
    assert second.split()[0] == "w142" and second.count("<mark>") == 4
    assert second.endswith("<mark>two words</mark>")
    assert "w10 " not in highlight
