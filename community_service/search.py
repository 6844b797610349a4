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
- Typos: when full text finds fewer than FUZZY_BELOW matches, trigram word similarity on
  names or titles (pg_trgm, GIN) adds the closest ones.

The SQL side (configurations, `search_config(language)`, the triggers that keep the
`search_vector` columns) is created by migrations: community_service 0003 and the app ones.
"""

import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection, transaction
from django.db.models import BooleanField, Expression, F, Func, Model, QuerySet, TextField, Value
from django.db.models.expressions import Combinable
from rest_framework.exceptions import ValidationError

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
MAX_RESULTS = 1000
# Full text finding fewer matches than this is "little": trigram matches are added.
FUZZY_BELOW = 3
# word_similarity(query, name) needed for a typo match: "pyhton" vs "Python" scores 0.29.
FUZZY_THRESHOLD = 0.25
# Shorter last words are not expanded as prefixes (`p:*` would touch most of the index).
PREFIX_MIN_LENGTH = 3

FULLTEXT, FUZZY = "fulltext", "fuzzy"
# Private-use characters mark matches in ts_headline's output; Python then escapes the text
# and turns them into <mark> tags, so a highlight is safe to render as HTML.
_START, _STOP = "\ue000", "\ue001"
_LAST_WORD = re.compile(r"([^\W_]+)$")
_STRUCTURED = re.compile(r'["\-]|\bor\b', re.IGNORECASE)


def config_for(language: str) -> str:
    """The text-search configuration of a language code (unknown codes: no stemming)."""
    return f"search_{LANGUAGES.get(language, 'simple')}"


ALL_CONFIGS: tuple[str, ...] = tuple(sorted({config_for(code) for code in LANGUAGES}))


def tsquery_parts(text: str, configs: Sequence[str]) -> list[tuple[str, list[Any]]]:
    """SQL (and params) of the tsqueries whose OR is the query for `text` in `configs` plus
    search_simple.

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


class TsQuery(Expression):
    """A constant tsquery (text from tsquery_text)."""

    output_field = TextField()

    def __init__(self, value: str) -> None:
        super().__init__()
        self.value = value

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s::tsquery", [self.value]


class Matches(Func):
    """`vector @@ query` as a filter condition."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class Headline(Func):
    function = "ts_headline"
    output_field = TextField()


class SearchConfigOf(Func):
    """search_config(language): the configuration of a row's language, in SQL."""

    function = "search_config"
    output_field = TextField()


def headline(config: Combinable | str, text: Combinable, query: TsQuery, *, whole: bool) -> Headline:
    """ts_headline of `text` marking matches; `whole` for short fields (names, titles)."""
    options = f"StartSel={_START}, StopSel={_STOP}, " + (
        "HighlightAll=true" if whole else "MaxFragments=2, MaxWords=25, MinWords=8, FragmentDelimiter=\" … \""
    )
    config_expr = Value(config) if isinstance(config, str) else config
    return Headline(Func(config_expr, function="", template="%(expressions)s::regconfig"), text, query,
                    Value(options))


def marked_html(headline_text: str | None) -> str | None:
    """ts_headline output as HTML: the text escaped, matches in <mark>…</mark>."""
    if headline_text is None:
        return None
    return html.escape(headline_text, quote=False).replace(_START, "<mark>").replace(_STOP, "</mark>")


@dataclass(frozen=True)
class SearchSpec:
    """How one model is searched."""

    configs: Sequence[str]  # query configurations (one community's language, or all of them)
    order: Sequence[str]  # the list's own order: candidates are the first MAX_RESULTS matches in it
    fuzzy_field: str | None  # trigram fallback on this column (a name or a title)
    vector: str = "search_vector"


@dataclass
class SearchPage:
    """One page of results: `ids` in order, how each matched, and the capped count."""

    ids: list[Any]
    match_of: dict[Any, str]
    total: int
    capped: bool
    tsquery: str
    match: str = FULLTEXT
    items: list[Model] = field(default_factory=list)


def max_page(page_size: int) -> int:
    return max(1, math.ceil(MAX_RESULTS / page_size))


def check_depth(*, page: int, page_size: int) -> None:
    """A 400 for pages past the last reachable result (MAX_RESULTS)."""
    if page > max_page(page_size):
        raise ValidationError({"page": [
            f"Search results stop at the first {MAX_RESULTS}: with page_size={page_size} the last page is "
            f"{max_page(page_size)}. Narrow the query or add filters."
        ]})


def _order_sql(order: Sequence[str], first: int) -> str:
    """ORDER BY over the candidate columns c{first}, c{first+1}… in `order`'s directions."""
    return ", ".join(
        f"c{first + i} {'DESC' if name.startswith('-') else 'ASC'}" for i, name in enumerate(order)
    )


def _capped_ids(candidates: QuerySet, *, rank: str | None, rank_params: list[Any], order: Sequence[str],
                upto: int) -> tuple[int, list[Any]]:
    """(count up to MAX_RESULTS + 1, the first `upto` ids) of `candidates`, a sliced
    values_list("pk", <rank input>, *order) queryset, ranked by `rank` (SQL over c1) then
    `order`, or by `order` alone."""
    sql, params = candidates.query.sql_with_params()
    columns = ", ".join(["pk", "c1", *[f"c{i + 2}" for i in range(len(order))]])
    ranking = (f"({rank}) DESC, " if rank else "") + _order_sql(order, 2) + ", pk DESC"
    query = (
        f"WITH c({columns}) AS MATERIALIZED ({sql}) "
        f"SELECT (SELECT count(*) FROM c), ARRAY(SELECT pk FROM c ORDER BY {ranking} LIMIT %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [*params, *rank_params, upto])
        total, ids = cursor.fetchone()
    return total, list(ids or [])


def search_ids(queryset: QuerySet, *, text: str, spec: SearchSpec, page: int, page_size: int,
               ranked: bool = True) -> SearchPage:
    """Run a search over `queryset` (already narrowed to what the caller may see and the
    filters) and return the page's ids. `ranked=False` keeps the list's own order (an
    explicit ?ordering=) among the matches instead of relevance."""
    check_depth(page=page, page_size=page_size)
    offset = (page - 1) * page_size
    upto = offset + page_size
    query = tsquery_text(text, spec.configs)
    order = list(spec.order)
    total, ids = 0, []
    if query:
        candidates = (
            queryset.filter(Matches(F(spec.vector), TsQuery(query)))
            .order_by(*order)
            .values_list("pk", spec.vector, *[name.lstrip("-") for name in order])[: MAX_RESULTS + 1]
        )
        total, ids = _capped_ids(candidates, rank="ts_rank(c1, %s::tsquery)" if ranked else None,
                                 rank_params=[query] if ranked else [], order=order, upto=max(upto, FUZZY_BELOW))
    match_of = dict.fromkeys(ids, FULLTEXT)
    result = SearchPage(ids=ids, match_of=match_of, total=total, capped=total > MAX_RESULTS, tsquery=query)
    if total < FUZZY_BELOW and spec.fuzzy_field and text.strip():
        fuzzy_total, fuzzy_ids = _fuzzy_ids(queryset, text=text.strip(), spec=spec, exclude=ids, upto=upto)
        if fuzzy_ids:
            result.match = FUZZY
            result.ids = ids + fuzzy_ids
            result.match_of.update(dict.fromkeys(fuzzy_ids, FUZZY))
        result.total = total + fuzzy_total
        result.capped = result.total > MAX_RESULTS
    result.total = min(result.total, MAX_RESULTS)
    result.ids = result.ids[offset:upto]
    return result


def _fuzzy_ids(queryset: QuerySet, *, text: str, spec: SearchSpec, exclude: list[Any],
               upto: int) -> tuple[int, list[Any]]:
    """Trigram word similarity of `text` to the fuzzy field, closest first.

    The candidates are the first MAX_RESULTS + 1 rows the trigram index yields, unordered:
    a common name spelled like the query can match a large share of the table, and ordering
    all of them by similarity would cost in proportion to that share.
    """
    column = spec.fuzzy_field
    order = list(spec.order)
    candidates = (
        queryset.exclude(pk__in=exclude)
        .filter(**{f"{column}__trigram_word_similar": text})
        .annotate(search_similarity=TrigramWordSimilarity(text, column))
        .order_by()
        .values_list("pk", "search_similarity", *[name.lstrip("-") for name in order])[: MAX_RESULTS + 1]
    )
    # `<%` reads its threshold from this setting; SET LOCAL keeps it to this transaction.
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL pg_trgm.word_similarity_threshold = {float(FUZZY_THRESHOLD)}")
        return _capped_ids(candidates, rank="c1", rank_params=[], order=order, upto=upto)


def in_order(rows: Sequence[Model], ids: Sequence[Any]) -> list[Model]:
    """`rows` (fetched by id) in the order of `ids`."""
    position = {pk: i for i, pk in enumerate(ids)}
    return sorted(rows, key=lambda row: position[row.pk])
