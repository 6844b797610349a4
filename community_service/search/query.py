"""Search on PostgreSQL, shared by communities and content.

- Languages: each community has a language (ISO 639-1 code; `und` for none). Its text is
  indexed with that language's configuration (`search_<config>`, a copy of PostgreSQL's
  built-in one with `unaccent` where the server has it), and the names and titles also with
  `search_simple`, so a name or a code word matches exactly as written.
- Queries: web-search syntax in the same configuration(s) plus `search_simple`; the last
  word of a plain query is also a prefix, for search-as-you-type.
- Cost: only a bounded candidate set is ranked (MAX_RESULTS matches, taken through the
  index in the list's own order), the count is exact up to that cap, and highlights are
  computed for the rows of the page only.
- Typos: when full text finds fewer than FUZZY_BELOW matches, each word of the query is
  corrected to the words spelled like it (pg_trgm similarity) in the vocabulary of names
  and titles (community_service/search/words.py), and those words are searched in names or
  titles (weight A) the same bounded way.

The SQL side (configurations, `search_config(language)`, the triggers that keep the
`search_vector` columns) is created by migrations: community_service 0004 and the app ones.
"""

# Why this is long: one search pipeline (languages, query building, bounded ranking, counts,
# typo correction, highlights) that communities, posts and comments share; its steps hand
# each other the same candidate set, and split apart they would pass it through module seams.

import html
import math
import re
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar
from uuid import UUID

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchVectorField
from django.db import connection, transaction
from django.db.models import (
    Case,
    DateTimeField,
    F,
    Func,
    Model,
    Q,
    QuerySet,
    TextField,
    UUIDField,
    When,
)
from django.db.models.expressions import Combinable
from rest_framework.exceptions import ErrorDetail, ValidationError

# ISO 639-1 code -> PostgreSQL built-in text-search configuration our `search_<name>` copies.
LANGUAGES: dict[str, str] = {
    "en": "english",
    "ru": "russian",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "pt": "portuguese",
    "und": "simple",  # undetermined: no stemming, no stop words
}
LANGUAGE_CHOICES = [
    ("en", "English"), ("ru", "Russian"), ("de", "German"), ("fr", "French"), ("es", "Spanish"),
    ("it", "Italian"), ("pt", "Portuguese"), ("und", "Other (no stemming)"),
]
SIMPLE_CONFIG = "search_simple"

# The deepest result a search returns: candidates ranked, exact count cap, last reachable row.
# A dense word's candidates are walked row by row (below), so its cost is this cap over the
# word's density: on the search bench (a 550,000-post community) 1,000 put the posts typo,
# prefix and phrase at p95 54-63 ms, 500 at 39-50 ms. 25 pages of 20 still read as "more
# than 500", as a user of a forum's search expects.
MAX_RESULTS = 500
# The 400 code of a search page past MAX_RESULTS.
BEYOND_SEARCH_LIMIT = "beyond_search_limit"
# Full text finding fewer matches than this is "little": the query's typos are corrected.
FUZZY_BELOW = 3
# similarity(query word, vocabulary word) needed for a correction: "pyhton" vs "python" scores 0.27.
FUZZY_THRESHOLD = 0.25
# Corrections tried per query word, the closest first.
CORRECTIONS_PER_WORD = 3
# Newest rows (in the list's order) checked first: a common word's candidates come from here,
# and the density found decides whether walking on (below) beats the text index. Small,
# because a rare word, a phrase or a typo pays for this walk before the index answers; not
# too small, because a sample too small misjudges the density (on the search bench, servers
# side by side: 500 rows saved a few ms on rare words, phrases and typos against 2,000 but
# sent the Russian prefix to the text index, 1.3x slower at p95; 1,000 kept the savings
# short of that. 2,000 had saved 3-13 ms against 5,000 in process).
RECENT_WINDOW = 1000
# Matches that dense in the newest rows (a common prefix) fill the candidates within this many
# newest rows: walking them (1-2.5 µs a row) can be cheaper than the text index's bitmap, whose
# cost grows with every match in the table (a prefix's bitmap merges each word it expands to).
DENSE_WINDOW = 25000
# How many more rows than the density promises the walk reads (older rows may match less;
# if they do, the index still answers). 1.2, not 1.5: a typo corrected to "python" on the
# 1,000,000-community bench then walked 24,000 rows (30 ms; with 1,000 candidates) instead of
# taking the bitmap (61 ms).
DENSE_MARGIN = 1.2
# What the two ways of finding candidates cost per unit, in µs, on the search bench: a row
# walked in the list's order (index entry, heap tuple, match: 0.9-1.6) and an entry of the
# text index's bitmap (0.18-0.37). The bitmap reads every match in the whole table, not only
# the list's (a word's posting list spans every community), so dense words in a big table
# are walked, and a prefix that is dense in a table of a million names is not (walking
# 24,000 rows took 24 ms where the bitmap took 10).
WALK_ROW_COST = 1.0
INDEX_ENTRY_COST = 0.25
# Shorter last words are not expanded as prefixes (`p:*` would touch most of the index).
PREFIX_MIN_LENGTH = 3

FULLTEXT, FUZZY = "fulltext", "fuzzy"
# Private-use characters mark matches in ts_headline's output; Python then escapes the text
# and turns them into <mark> tags, so a highlight is safe to render as HTML.
_START, _STOP = "\ue000", "\ue001"
_LAST_WORD = re.compile(r"([^\W_]+)$")
_STRUCTURED = re.compile(r'["\-]|\bor\b', re.IGNORECASE)

# One candidate row: (pk, rank or similarity, *the values of the list's order); rows from
# the newest-rows walk also end with the table's row estimate.
Row = tuple[Any, ...]


def config_for(language: str) -> str:
    """The text-search configuration of a language code (unknown codes: no stemming)."""
    return f"search_{LANGUAGES.get(language, 'simple')}"


ALL_CONFIGS: tuple[str, ...] = tuple(sorted({config_for(code) for code in LANGUAGES}))


def tsquery_parts(text: str, configs: Sequence[str]) -> list[tuple[str, list[Any]]]:
    """SQL (and params) of the tsqueries whose OR is the query for `text` in `configs` plus
    search_simple. SQL text, not SearchQuery expressions: tsquery_text runs them in one
    statement over a VALUES list, which has no model to hang an ORM query on.

    A plain query (no quotes, `-` or `or`) also matches its last word as a prefix, with the
    words before it as usual: "machine lea" finds "machine learning".
    """
    configs = list(dict.fromkeys([*configs, SIMPLE_CONFIG]))
    parts = [(f"websearch_to_tsquery('{c}'::regconfig, %s)", [text]) for c in configs]
    stripped = text.rstrip()
    last = _LAST_WORD.search(stripped)
    if (
        last
        and stripped == text  # a trailing space means the word is complete
        and len(last.group(1)) >= PREFIX_MIN_LENGTH
        and not _STRUCTURED.search(text)
    ):
        prefix = f"to_tsquery('{SIMPLE_CONFIG}'::regconfig, %s)"
        head = stripped[: last.start()].strip()
        if head:
            head_sql = " || ".join(f"websearch_to_tsquery('{c}'::regconfig, %s)" for c in configs)
            parts.append((f"(({head_sql}) && {prefix})", [head] * len(configs) + [f"{last.group(1)}:*"]))
        else:
            parts.append((prefix, [f"{last.group(1)}:*"]))
    return parts


def tsquery_text(text: str, configs: Sequence[str]) -> str:
    """The query as tsquery text, computed once so the main query carries a constant the
    planner can estimate (and that is not re-parsed for every row it checks). Configurations
    that parse the query alike (most, for a code word) contribute it once."""
    parts = tsquery_parts(text, configs)
    values = ", ".join(f"({sql})" for sql, _ in parts)
    params = [param for _, part_params in parts for param in part_params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(string_agg(DISTINCT '(' || q::text || ')', ' | '), '') "
            f"FROM (VALUES {values}) AS v(q) WHERE q::text <> ''",
            params,
        )
        return cursor.fetchone()[0]


class TsQuery(SearchQuery):
    """A tsquery already parsed (tsquery_text's output) as a constant, `%s::tsquery`; Django's
    `@@` lookup (filter(search_vector=TsQuery(...))) and SearchHeadline take it as any SearchQuery.

    Home-made because every search_type of SearchQuery parses its text again ("raw" is
    to_tsquery), which changes a parsed query: to_tsquery('simple', $$'foo-bar'$$) is
    'foo-bar' <-> 'foo' <-> 'bar', and a URL's lexeme splits likewise.
    """

    template = "%(expressions)s::tsquery"

    def __init__(self, value: str) -> None:
        super().__init__(value)


class SearchConfigOf(Func):
    """search_config(language): the configuration of a row's language, in SQL."""

    function = "search_config"
    output_field = TextField()


def headline(config: Combinable | str, text: Combinable, query: TsQuery) -> SearchHeadline:
    """ts_headline of the whole of `text` with its matches marked; marked_html cuts fragments."""
    # Not ts_headline's fragment mode (MaxFragments): it ends a fragment at its last match,
    # dropping what follows ("We write rust every day." came back as "write <mark>rust</mark> every").
    return SearchHeadline(text, query, config=config, start_sel=_START, stop_sel=_STOP, highlight_all=True)


# A long field's highlight: up to FRAGMENTS stretches of FRAGMENT_WORDS words around the
# matches, each starting FRAGMENT_LEAD words before its first match, joined by " … ". A
# field of at most WHOLE_WORDS words is shown whole.
FRAGMENTS, FRAGMENT_WORDS, FRAGMENT_LEAD, WHOLE_WORDS = 2, 25, 8, 35
FRAGMENT_DELIMITER = " … "
_WORD = re.compile(r"\S+")


def _fragments(marked: str) -> str:
    """The stretches of `marked` (ts_headline output) worth showing, with the text after each
    match kept up to the stretch's length; never cut inside a mark."""
    spans = [m.span() for m in _WORD.finditer(marked)]
    if len(spans) <= WHOLE_WORDS:
        return marked
    # open_after[i]: a mark opened at or before word i is still open after it.
    open_after, depth = [], False
    for start, stop in spans:
        word = marked[start:stop]
        if _START in word or _STOP in word:
            depth = word.rfind(_START) > word.rfind(_STOP)
        open_after.append(depth)
    matches = [i for i, (start, stop) in enumerate(spans) if _START in marked[start:stop]]
    windows: list[list[int]] = []  # [first word, end word, matches inside]
    for i in matches or [0]:
        if windows and i < windows[-1][1]:
            windows[-1][2] += 1
            continue
        first = max(i - FRAGMENT_LEAD, windows[-1][1] if windows else 0)
        while first > 0 and open_after[first - 1]:
            first -= 1
        end = min(len(spans), first + FRAGMENT_WORDS)
        while end < len(spans) and open_after[end - 1]:
            end += 1
        windows.append([first, end, 1])
    # The stretches with the most matches (the earliest on a tie), shown in text order;
    # stretches that touch read as one.
    stretches: list[list[int]] = []  # [first word, end word]
    for first, end, _ in sorted(sorted(windows, key=lambda w: -w[2])[:FRAGMENTS]):
        if stretches and stretches[-1][1] == first:
            stretches[-1][1] = end
        else:
            stretches.append([first, end])
    return FRAGMENT_DELIMITER.join(marked[spans[first][0]:spans[end - 1][1]] for first, end in stretches)


def marked_html(headline_text: str | None, *, whole: bool = True) -> str | None:
    """ts_headline output as HTML: the text escaped, matches in <mark>…</mark>; `whole` for
    short fields (names, titles), otherwise fragments around the matches (_fragments)."""
    if headline_text is None:
        return None
    text = headline_text if whole else _fragments(headline_text)
    return html.escape(text, quote=False).replace(_START, "<mark>").replace(_STOP, "</mark>")


@dataclass(frozen=True)
class SearchSpec:
    """How one model is searched."""

    configs: Sequence[str]  # query configurations (one community's language, or all of them)
    order: Sequence[str]  # the list's own order: candidates are the first MAX_RESULTS matches in it
    fuzzy: bool  # correct typos when full text finds little (names and titles: weight A)
    vector: str = "search_vector"
    # A boolean annotation: where true, only the weight-A part (the title) may match and rank
    # (a gated post: the search must not reveal what its body says).
    title_only_when: str | None = None


@dataclass
class SearchPage:
    """One page of results: `ids` in order, how each matched, and the capped count."""

    ids: list[Any]
    match_of: dict[Any, str]
    total: int
    capped: bool
    tsquery: str
    match: str = FULLTEXT
    # The page's rows, filled by the caller's selector and annotated with search_match and
    # search_highlight (attributes the serializers read, not model fields): hence Any.
    items: list[Any] = field(default_factory=list)


def max_page(page_size: int) -> int:
    return max(1, math.ceil(MAX_RESULTS / page_size))


def check_depth(*, page: int, page_size: int) -> None:
    """A 400 for pages past the last reachable result (MAX_RESULTS)."""
    if page > max_page(page_size):
        raise ValidationError({"page": [ErrorDetail(
            f"Search results stop at the first {MAX_RESULTS}: with page_size={page_size} the last page is "
            f"{max_page(page_size)}. Narrow the query or add filters.", code=BEYOND_SEARCH_LIMIT,
        )]})


def _rows(sql: str, params: list[Any]) -> list[Row]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


@contextmanager
def _bitmap_only() -> Any:
    """A transaction whose queries reach a text index only through a bitmap scan, with room
    for the bitmap to stay exact.

    Why: for `match AND filters LIMIT n` the planner may walk another index (recency, the
    community) or the table, betting on finding n matches early; when the words are rarer
    than its estimate (prefixes, phrases) that walk reads the whole community or table.
    A bitmap scan costs what the index entries cost plus at most n row checks. 32 MB keeps
    a bitmap of a few million row ids exact instead of lossy (every row of a lossy page is
    rechecked).
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off; "
                           "SET LOCAL work_mem = '32MB'")
        yield


def _sortable(model: type[Model], field_name: str, column: str) -> str:
    """SQL for an order column as a value Python compares cheaply, in the same order: a
    timestamp as microseconds since the epoch (Django loads timestamps through a Python
    loader, ~25 µs each: a candidate set of 1,001 rows paid ~25 ms for it), a UUID as its
    text (lowercase hex: byte order, as PostgreSQL compares UUIDs). Others as they are."""
    field = model._meta.pk if field_name == "pk" else model._meta.get_field(field_name)
    if isinstance(field, DateTimeField):
        return f"(EXTRACT(EPOCH FROM {column}) * 1000000)::bigint"
    if isinstance(field, UUIDField):
        return f"{column}::text"
    return column


def _pk_key(pk: Any) -> Any:
    # UUID.__lt__ is Python code; its integer compares in C, in the same order.
    return pk.int if isinstance(pk, UUID) else pk


def _sorted(rows: list[Row], *, order: Sequence[str], ranked: bool) -> list[Row]:
    """Rows (pk, rank, *order values) by rank (if ranked), then `order`, then pk, as
    PostgreSQL would sort them (NULLs last ascending, first descending). Order values come
    from _sortable's SQL."""
    rows = sorted(rows, key=lambda row: _pk_key(row[0]), reverse=True)
    for i in reversed(range(len(order))):
        descending = order[i].startswith("-")
        rows.sort(key=lambda row: (row[2 + i] is None, row[2 + i]), reverse=descending)
    if ranked:
        rows.sort(key=lambda row: row[1], reverse=True)
    return rows


def _fulltext_rows(queryset: QuerySet, *, spec: SearchSpec, query: str, ranked: bool,
                   by_weight: bool = False) -> tuple[list[Row], bool]:
    """(pk, rank, *order values) of up to MAX_RESULTS + 1 matches, and whether there were more.

    Bounded steps. 1. The newest RECENT_WINDOW rows in the list's order (an index walk that
    does not depend on the words): a common word fills the candidate set here with the
    newest matches. 1b. When the matches there are dense enough that, at that density, the
    rest fit in the newest DENSE_WINDOW rows, and walking them costs less than the index's
    bitmap would (_walk_is_cheaper; `by_weight` queries by row count alone), the walk goes
    on that far. 2. Otherwise the
    text index (bitmap only): every match when there are at most MAX_RESULTS, else the
    first MAX_RESULTS + 1 it yields.
    """
    order = list(spec.order)
    fields = [name.lstrip("-") for name in order]
    match = Q(**{spec.vector: TsQuery(query)})  # what the GIN index answers
    vector = spec.vector
    if spec.title_only_when:
        queryset = queryset.annotate(search_rank_vector=_matching_vector(spec))
        vector = "search_rank_vector"
    # Ranked, and matched in the walks, by an outer SELECT over the ORM's SQL as a subquery
    # (the window's LIMIT/OFFSET applies before the match): the ORM selects from no subquery,
    # so SearchRank has nowhere to go; ts_rank(vector, query) is what it would write.
    rank = "ts_rank(c.vec, %s::tsquery)"
    order_values = ", ".join(_sortable(queryset.model, name, f"c.o{i}") for i, name in enumerate(fields))
    found: dict[Any, tuple] = {}
    if ranked:
        def newest(start: int, stop: int, wanted: int) -> list[Row]:
            """Up to `wanted` matches among rows start..stop-1 of the list's order."""
            window = queryset.order_by(*order).values_list("pk", vector, *fields)[start:stop]
            sql, params = window.query.sql_with_params()
            columns = ", ".join(["pk", "vec", *[f"o{i}" for i in range(len(fields))]])
            # Each row also carries the table's row estimate (computed once: an InitPlan), for
            # pricing the text index below without another round trip.
            return _rows(
                f"SELECT c.pk, {rank}, {order_values}, (SELECT reltuples FROM pg_class WHERE oid = %s::regclass) "
                f"FROM ({sql}) AS c({columns}) WHERE c.vec @@ %s::tsquery LIMIT %s",
                [query, queryset.model._meta.db_table, *params, query, wanted],  # in placeholder order
            )

        recent = newest(0, RECENT_WINDOW, MAX_RESULTS + 1)
        found.update((row[0], row) for row in recent)
        if len(recent) > MAX_RESULTS:
            return list(found.values()), True
        # Rows the rest would need at this density, with a margin (past the end of a shorter
        # list the walk finds nothing, quickly).
        needed = math.ceil(RECENT_WINDOW * (MAX_RESULTS + 1) / len(recent) * DENSE_MARGIN) if recent else None
        # A query that matches by weight (typo corrections: titles only) is priced by row count
        # alone: the index does not see weights, its bitmap holds every row with those words.
        if needed is not None and needed <= DENSE_WINDOW and (by_weight or _walk_is_cheaper(
                rows=needed - RECENT_WINDOW, density=len(recent) / RECENT_WINDOW, table_rows=recent[0][-1])):
            more = newest(RECENT_WINDOW, needed, MAX_RESULTS + 1 - len(recent))
            found.update((row[0], row) for row in more)
            if len(found) > MAX_RESULTS:
                return list(found.values()), True
    if spec.title_only_when:
        match &= Q(search_rank_vector=TsQuery(query))
    candidates = queryset.filter(match).order_by().values_list("pk", vector, *fields)[: MAX_RESULTS + 1]
    sql, params = candidates.query.sql_with_params()
    columns = ", ".join(["pk", "vec", *[f"o{i}" for i in range(len(fields))]])
    with _bitmap_only():
        indexed = _rows(
            f"SELECT c.pk, {rank if ranked else '0'}, {order_values} FROM ({sql}) AS c({columns})",
            [*([query] if ranked else []), *params],
        )
    for row in indexed:
        found.setdefault(row[0], row)
    return list(found.values()), len(indexed) > MAX_RESULTS or len(found) > MAX_RESULTS


def _matching_vector(spec: SearchSpec) -> Case:
    """The vector a row may match and rank by: only its weight-A part (the title) where
    `spec.title_only_when` holds. ts_filter through Func: django.contrib.postgres has none."""
    assert spec.title_only_when, "only for specs that hide some bodies"
    title_only = Func(F(spec.vector), template="ts_filter(%(expressions)s, '{a}')", output_field=SearchVectorField())
    return Case(When(**{spec.title_only_when: True}, then=title_only), default=F(spec.vector),
                output_field=SearchVectorField())


def _walk_is_cheaper(*, rows: int, density: float, table_rows: float | None) -> bool:
    """Whether walking `rows` more rows costs less than the text index's bitmap over every
    match in the table, at the density the first walk found. Without statistics (a table
    never analyzed: reltuples -1 or 0) the walk goes on, as DENSE_WINDOW allows."""
    if table_rows is None or table_rows <= 0:
        return True
    return rows * WALK_ROW_COST <= density * table_rows * INDEX_ENTRY_COST


def fulltext_filter(queryset: QuerySet, *, text: str, spec: SearchSpec) -> QuerySet:
    """`queryset` narrowed to the full-text matches of `text`, in its own order: a keyset
    feed with `?search=` (relevance is no keyset position, so search only filters there)."""
    query = tsquery_text(text, spec.configs)
    if not query:
        return queryset.none()
    if spec.title_only_when:
        return queryset.alias(search_rank_vector=_matching_vector(spec)).filter(search_rank_vector=TsQuery(query))
    return queryset.filter(**{spec.vector: TsQuery(query)})


def search_ids(queryset: QuerySet, *, text: str, spec: SearchSpec, page: int, page_size: int,
               ranked: bool = True) -> SearchPage:
    """Run a search over `queryset` (already narrowed to what the caller may see and the
    filters) and return the page's ids. `ranked=False` keeps the list's own order (an
    explicit ?ordering=) among the matches instead of relevance."""
    check_depth(page=page, page_size=page_size)
    offset = (page - 1) * page_size
    upto = offset + page_size
    query = tsquery_text(text, spec.configs)
    rows, more = _fulltext_rows(queryset, spec=spec, query=query, ranked=ranked) if query else ([], False)
    ids = [row[0] for row in _sorted(rows, order=spec.order, ranked=ranked)][:MAX_RESULTS]
    result = SearchPage(ids=ids, match_of=dict.fromkeys(ids, FULLTEXT), total=len(ids), capped=more,
                        tsquery=query)
    corrected, words = corrected_tsquery(text) if len(ids) < FUZZY_BELOW and spec.fuzzy and text.strip() else ("", [])
    if corrected:
        fuzzy_rows, fuzzy_more = _fulltext_rows(queryset.exclude(pk__in=ids), spec=spec, query=corrected, ranked=True,
                                                by_weight=True)
        fuzzy_ids = [row[0] for row in _sorted(fuzzy_rows, order=spec.order, ranked=True)]
        if fuzzy_ids:
            result.match = FUZZY
            result.ids = (ids + fuzzy_ids)[:MAX_RESULTS]
            result.match_of.update(dict.fromkeys(fuzzy_ids, FUZZY))
            result.capped = fuzzy_more or len(ids) + len(fuzzy_ids) > MAX_RESULTS
            result.total = len(result.ids)
            # Highlights mark the corrected words too, parsed as each configuration parses text.
            marks = tsquery_text(" ".join(words), spec.configs)
            result.tsquery = f"({query}) | ({marks})" if query else marks
    result.ids = result.ids[offset:upto]
    return result


def corrected_tsquery(text: str) -> tuple[str, list[str]]:
    """tsquery text for `text` with each word (of 3 characters or more) replaced by the
    vocabulary words spelled like it (up to CORRECTIONS_PER_WORD, the word itself included
    when it is known), restricted to names and titles (weight A): "pyhton develpers" ->
    ('developers':A) & ('python':A); and those words. Words without a correction are left
    out; ('', []) when none has one."""
    # SQL, not TrigramSimilarity/trigram_similar: one statement corrects every word (a lateral
    # ARRAY per lexeme of unnest(to_tsvector(...))), and the ORM selects from no set-returning
    # function, so it would be a query, a round trip, per word.
    with transaction.atomic(), connection.cursor() as cursor:
        # `%` reads its threshold from this setting; SET LOCAL keeps it to this transaction.
        # The planner prices the trigram index above reading every word (16,000 words: 0.5 ms
        # a word through the index, 16-28 ms computing every similarity): no sequential scan.
        cursor.execute(f"SET LOCAL pg_trgm.similarity_threshold = {float(FUZZY_THRESHOLD)}; "
                       "SET LOCAL enable_seqscan = off")
        cursor.execute(
            "SELECT q.lexeme, ARRAY(SELECT DISTINCT ON (similarity(w.word, q.lexeme), w.word) w.word "
            "                         FROM community_service_searchword w WHERE w.word %% q.lexeme "
            "                        ORDER BY similarity(w.word, q.lexeme) DESC, w.word LIMIT %s) "
            "FROM unnest(to_tsvector(%s::regconfig, %s)) AS q WHERE char_length(q.lexeme) >= 3",
            [CORRECTIONS_PER_WORD, SIMPLE_CONFIG, text],
        )
        words = [alternatives for _, alternatives in cursor.fetchall() if alternatives]
    query = " & ".join("(" + " | ".join(f"{_quoted(word)}:A" for word in alternatives) + ")" for alternatives in words)
    return query, [word for alternatives in words for word in alternatives]


def _quoted(word: str) -> str:
    """A lexeme as a tsquery literal."""
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


_M = TypeVar("_M", bound=Model)


def in_order(rows: Sequence[_M], ids: Sequence[Any]) -> list[_M]:
    """`rows` (fetched by id) in the order of `ids`."""
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.pk])
