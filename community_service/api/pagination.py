"""Pagination: the seed's page envelope, and keyset cursors for feeds that grow without bound."""

# Why this is long: three paginators (page numbers, keyset cursors, search pages) that share the seed's
# envelope and its limits.

import base64
import binascii
import json
import math
from datetime import datetime
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Field, Func, Value, lookups
from rest_framework import pagination
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from community_service.cache.aside import cache_get_or_set

MAX_PAGE_SIZE = 100
# The schema's bound on `?page=` (int32), so no page a client may send overflows PostgreSQL's
# bigint OFFSET (a 400 no schema stated). Lists without a page limit of their own (members,
# join requests, the audit log) answer a page past their last like every other list: 404.
MAX_PAGE = 2**31 - 1


def single_query_value(request: Request, name: str) -> str | None:
    """A one-valued query parameter, or None; sent more than once it is a 400 (which one would count?)."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: [f"Send {name} once, not {len(values)} times."]})
    return values[0] if values else None


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        # Out-of-range and malformed values are the client's mistake: say which one.
        self._validate_positive_int(request, self.page_query_param, maximum=MAX_PAGE)
        self._validate_positive_int(request, self.page_size_query_param, maximum=self.max_page_size)
        return super().paginate_queryset(queryset, request, view)

    def get_page_size(self, request: Request) -> int:
        # DRF's may return None (no page_size configured); ours always has one.
        return super().get_page_size(request) or self.page_size

    @staticmethod
    def _validate_positive_int(request: Request, name: str, *, maximum: int) -> None:
        raw = single_query_value(request, name)
        if raw is None:
            return
        try:
            value = int(raw)
        except ValueError:
            raise ValidationError({name: ["A positive integer is required."]}) from None
        if not 1 <= value <= maximum:
            raise ValidationError({name: [f"Must be an integer between 1 and {maximum}."]})

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(self.envelope(data))

    def envelope(self, data: list[Any]) -> dict[str, Any]:
        assert self.page is not None, "paginate_queryset ran first"
        total = self.page.paginator.count
        page_size = self.page.paginator.per_page
        return {
            "items": data,
            "total": total,
            "page": self.page.number,
            "page_size": page_size,
            "pages": math.ceil(total / page_size) if total else 0,
        }

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["items", "total", "page", "page_size", "pages"],
            "properties": {
                "items": schema,
                "total": {"type": "integer", "example": 42},
                "page": {"type": "integer", "example": 1},
                "page_size": {"type": "integer", "example": 20},
                "pages": {"type": "integer", "example": 3},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "in": "query",
                "required": False,
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
            },
            {
                "name": self.page_size_query_param,
                "in": "query",
                "required": False,
                "description": f"Items per page (default {self.page_size}, max {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class CappedCountPagination(PageNumberPagination):
    """The seed's page envelope for big tables: no full COUNT(*), no deep OFFSET.

    `total` is exact when the filtered rows number at most EXACT_COUNT_LIMIT (counted with a
    LIMIT, so the count never reads more rows than that), otherwise PostgreSQL's planner
    estimate for the query; `total_exact` says which. A short last page makes `total` exact
    without counting at all. Pages whose first row lies past MAX_PAGE_OFFSET are a 400
    `page_too_deep` that points to `?cursor=` (keyset pages cost the same at any depth); a
    list without a cursor sets it to None and relies on an index that covers its order (the
    deep page's ids are then an index-only walk).

    Deep pages at page-one cost, where the view says where to remember positions and how
    fresh its list is (`page_positions`: CachedListMixin's key and version token, which every
    write to the list replaces) and the order is a keyset (one direction, ending with the
    primary key): the order's values of every ANCHOR_STRIDE-th row are remembered under that
    version, and a deep page seeks to the nearest one at or before it (`ROW(...) < ROW(...)`
    on the index) and reads at most ANCHOR_STRIDE rows from there instead of all of them. The
    position is read with the throttle's round trip (CachedListMixin.cache_prefetch_keys).
    """

    EXACT_COUNT_LIMIT = 1000
    MAX_PAGE_OFFSET: int | None = 10_000
    DEFERRED_JOIN_OFFSET = 200
    # Every 100th row: a deep page reads at most 100 + page_size rows past its seek, so it
    # needs no deferred join (whose subquery costs the app more to compile than it saves).
    ANCHOR_STRIDE = 100
    ANCHOR_TTL = 600  # seconds; a write changes the scope long before

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list | None:
        self._validate_positive_int(request, self.page_query_param, maximum=MAX_PAGE)
        self._validate_positive_int(request, self.page_size_query_param, maximum=self.max_page_size)
        self.number = int(request.query_params.get(self.page_query_param, 1))
        self.size = self.get_page_size(request)
        offset = (self.number - 1) * self.size
        if self.MAX_PAGE_OFFSET is not None and offset >= self.MAX_PAGE_OFFSET:
            raise ValidationError({self.page_query_param: [ErrorDetail(
                f"Pages stop at row {self.MAX_PAGE_OFFSET} (page {self.MAX_PAGE_OFFSET // self.size} at this "
                "page_size): use ?cursor= (empty for the first page, then the next link) to read further.",
                "page_too_deep",
            )]})
        if offset >= self.DEFERRED_JOIN_OFFSET:
            # Skip the offset on the page's ids alone (an index-only scan where an index covers
            # the order and filters), then read the full columns of just those rows: one
            # statement, the ids in a subquery. From a remembered position when there is one.
            start, skip = self._anchored(queryset, offset, getattr(view, "page_positions", None))
            if start is queryset:
                rows = list(queryset.filter(pk__in=queryset.values("pk")[offset: offset + self.size]))
            else:  # fewer than ANCHOR_STRIDE rows past a remembered position: read them as page 1 does
                rows = list(start[skip: skip + self.size])
        else:
            rows = list(queryset[offset: offset + self.size])
        if not rows and self.number > 1:
            from rest_framework.exceptions import NotFound

            raise NotFound("Invalid page.")
        if len(rows) < self.size:  # the last page: everything before it exists
            self.total, self.total_exact = offset + len(rows), True
        else:
            self.total, self.total_exact = self.count(queryset, at_least=offset + len(rows))
        return rows

    def _anchored(self, queryset: Any, offset: int, positions: "PagePositions | None") -> tuple[Any, int]:
        """(rows from the nearest remembered position at or before `offset`, how many of them
        to skip); the queryset itself and `offset` when nothing can be remembered."""
        order = [str(name) for name in queryset.query.order_by]
        fields = [name.lstrip("-") for name in order]
        keyset = (bool(order) and len({name.startswith("-") for name in order}) == 1
                  and fields[-1] in ("pk", queryset.model._meta.pk.name) and all("__" not in f for f in fields))
        position = offset // self.ANCHOR_STRIDE * self.ANCHOR_STRIDE
        if positions is None or not keyset or position == 0:
            return queryset, offset

        def remember() -> tuple[str, tuple | None]:  # the row just before the position bounds the seek
            found = list(queryset.values_list(*fields)[position - 1: position])
            return positions.version, (tuple(found[0]) if found else None)

        version, values = cache_get_or_set(
            f"{positions.key}:{position}", remember, ttl=self.ANCHOR_TTL, prefetched=positions.prefetched,
            valid=lambda entry: isinstance(entry, tuple) and len(entry) == 2 and entry[0] == positions.version)
        if values is None:
            return queryset, offset
        after = lookups.LessThan if order[0].startswith("-") else lookups.GreaterThan
        bound = after(_Row(*[F(f) for f in fields]), _Row(*[Value(v) for v in values]))
        return queryset.filter(bound), offset - position

    def count(self, queryset: Any, *, at_least: int = 0) -> tuple[int, bool]:
        """(total, exact): a count that stops after EXACT_COUNT_LIMIT + 1 rows and the planner's
        estimate, in one round trip (two statements, one compiled query). `at_least` rows are
        known to exist: past EXACT_COUNT_LIMIT only the estimate is needed (a deep page)."""
        from django.db import connections

        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        capped_sql = f"SELECT count(*) FROM ({sql} LIMIT {int(self.EXACT_COUNT_LIMIT) + 1}) AS capped; "
        known = at_least > self.EXACT_COUNT_LIMIT
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"{'' if known else capped_sql}EXPLAIN (FORMAT JSON) {sql}",
                           params if known else (*params, *params))
            if known:
                capped = at_least
            else:
                capped = cursor.fetchone()[0]
                cursor.nextset()
            plan = cursor.fetchone()[0]
        if capped <= self.EXACT_COUNT_LIMIT:
            return capped, True
        if isinstance(plan, str):
            plan = json.loads(plan)
        return max(int(plan[0]["Plan"]["Plan Rows"]), capped), False

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        if self.MAX_PAGE_OFFSET is not None:
            parameters[0]["description"] = PAGE_LIMIT_HELP
        return parameters

    def get_paginated_response_schema(self, schema: dict) -> dict:
        envelope = super().get_paginated_response_schema(schema)
        envelope["required"].append("total_exact")
        envelope["properties"]["total_exact"] = {"type": "boolean", "description": TOTAL_EXACT_HELP}
        return envelope

    def envelope(self, data: list) -> dict[str, Any]:
        return {
            "items": data,
            "total": self.total,
            "page": self.number,
            "page_size": self.size,
            "pages": math.ceil(self.total / self.size) if self.total else 0,
            "total_exact": self.total_exact,
        }


class PagePositions(NamedTuple):
    """Where a list remembers deep pages' positions, the version they must carry, and the
    request's prefetched cache values (CachedListMixin sets it on the view)."""

    key: str
    version: str
    prefetched: dict | None


def anchor_position(pagination_class: Any, request: Request) -> int:
    """The remembered position a deep page of this request would seek from (0: none); for the
    throttle's prefetch, so malformed parameters are just 0 (the paginator answers the 400)."""
    stride = getattr(pagination_class, "ANCHOR_STRIDE", None)
    if not stride:
        return 0
    try:
        page = int(request.query_params.get("page", 1))
        size = int(request.query_params.get("page_size", pagination_class.page_size))
    except (TypeError, ValueError):
        return 0
    if page < 1 or size < 1:
        return 0
    offset = (page - 1) * size
    return offset // stride * stride if offset >= pagination_class.DEFERRED_JOIN_OFFSET else 0


class IndexOrderedPagination(CappedCountPagination):
    """CappedCountPagination for a list that has no cursor but an index that serves its order
    within its filters (a community's members, its audit log): `total` capped the same way,
    and no page limit, since a deep page's ids are a walk over that index."""

    MAX_PAGE_OFFSET = None


TOTAL_EXACT_HELP = (
    f"true when `total` is an exact count; false when more than {CappedCountPagination.EXACT_COUNT_LIMIT} rows "
    "match and `total` (and `pages`) is PostgreSQL's estimate for the filters."
)
PAGE_LIMIT_HELP = (
    f"Page number, from 1. Pages whose first row lies past row {CappedCountPagination.MAX_PAGE_OFFSET} are a 400 "
    "`page_too_deep`: read further with `?cursor=`."
)


class _Row(Func):
    """SQL row constructor: ROW(a, b) < ROW(x, y) compares lexicographically and uses the
    composite index, so a deep page costs the same as the first."""

    function = "ROW"
    output_field = Field()


def cursor_parameter(*, not_with: str = "") -> Any:
    """The `?cursor=` query parameter of keyset feeds, for extend_schema; `not_with` says which
    parameters it cannot be combined with (OpenAPI 3.0 has no keyword for that)."""
    from drf_spectacular.utils import OpenApiParameter

    return OpenApiParameter(
        "cursor", {"type": "string", "pattern": KeysetPagination.CURSOR_PATTERN},
        description="Keyset pagination for infinite scroll: send it empty for the first page, then follow "
        "`next`/`previous`. The response is then {items, next, previous}. Cursors are opaque: only ones this "
        f"server returned are accepted (else 400 `invalid_cursor`). {not_with}".rstrip(),
    )


class KeysetPagination:
    """`?cursor=` feeds: `{"items", "next", "previous"}` with opaque cursors.

    `ordering` lists model fields, all descending (`-published_at`, `-id`) or all
    ascending; the last one must be unique (the primary key) so positions are exact.
    An empty `?cursor=` asks for the first page.
    """

    page_size = 20
    max_page_size = MAX_PAGE_SIZE
    cursor_query_param = "cursor"

    def __init__(self, ordering: list[str], *, cursor_param: str = "cursor") -> None:
        self.cursor_query_param = cursor_param
        descending = {name.startswith("-") for name in ordering}
        if len(descending) != 1:
            raise ValueError("Keyset ordering must be all ascending or all descending.")
        self.ordering = ordering
        self.fields = [name.lstrip("-") for name in ordering]
        self.descending = descending.pop()

    # Cursors are URL-safe base64 without padding; only ones the server handed out decode.
    CURSOR_PATTERN = "^[A-Za-z0-9_-]*$"

    @staticmethod
    def requested(request: Request) -> bool:
        return KeysetPagination.cursor_query_param in request.query_params

    def _decode(self, raw: str, model: Any) -> tuple[str, list]:
        try:
            data = json.loads(base64.urlsafe_b64decode(raw.encode() + b"==="))
            direction, values = data["d"], data["v"]
            if direction not in ("next", "prev") or len(values) != len(self.fields):
                raise ValueError
            return direction, [model._meta.get_field(f).to_python(v) for f, v in zip(self.fields, values, strict=False)]
        except (ValueError, TypeError, KeyError, binascii.Error, DjangoValidationError):
            raise ValidationError(
                {self.cursor_query_param: [
                    ErrorDetail("Invalid cursor: use the next/previous links.", "invalid_cursor")]}
            ) from None

    def _encode(self, direction: str, obj: Any) -> str:
        # Full precision: DjangoJSONEncoder would cut datetimes to milliseconds and shift the position.
        values = [v.isoformat() if isinstance(v, datetime) else v for v in (getattr(obj, f) for f in self.fields)]
        data = json.dumps({"d": direction, "v": values}, cls=DjangoJSONEncoder, separators=(",", ":"))
        return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")

    def _link(self, request: Request, cursor: str) -> str:
        return replace_query_param(request.build_absolute_uri(), self.cursor_query_param, cursor)

    def paginate(self, queryset: Any, request: Request) -> tuple[list, str | None, str | None]:
        """The page's objects and the absolute URLs of the next and previous pages."""
        # `page` means nothing beside a cursor, but a malformed one is still the client's mistake.
        PageNumberPagination._validate_positive_int(request, "page", maximum=MAX_PAGE)
        PageNumberPagination._validate_positive_int(request, "page_size", maximum=self.max_page_size)
        size = int(request.query_params.get("page_size", self.page_size))
        rows, next_cursor, prev_cursor = self.page(
            queryset, cursor=single_query_value(request, self.cursor_query_param) or "", size=size
        )
        next_url = self._link(request, next_cursor) if next_cursor is not None else None
        prev_url = self._link(request, prev_cursor) if prev_cursor is not None else None
        return rows, next_url, prev_url

    def page(self, queryset: Any, *, cursor: str, size: int) -> tuple[list, str | None, str | None]:
        """The page's objects and the opaque cursors of the next and previous pages.

        An invalid cursor is a ValidationError under `cursor_query_param`."""
        direction, values = self._decode(cursor, queryset.model) if cursor else ("next", None)
        forward = direction == "next"
        ordering = self.ordering if forward else [self._flip(name) for name in self.ordering]
        if values is not None:
            row, bound = _Row(*[F(f) for f in self.fields]), _Row(*[Value(v) for v in values])
            after = lookups.LessThan if self.descending == forward else lookups.GreaterThan
            queryset = queryset.filter(after(row, bound))
        rows = list(queryset.order_by(*ordering)[: size + 1])
        has_more = len(rows) > size
        rows = rows[:size]
        if not forward:
            rows.reverse()
        if forward:
            next_row = rows[-1] if has_more and rows else None
            prev_row = rows[0] if values is not None and rows else None
        else:
            next_row = rows[-1] if rows else None
            prev_row = rows[0] if has_more and rows else None
        next_cursor = self._encode("next", next_row) if next_row is not None else None
        prev_cursor = self._encode("prev", prev_row) if prev_row is not None else None
        return rows, next_cursor, prev_cursor

    @staticmethod
    def _flip(name: str) -> str:
        return name[1:] if name.startswith("-") else f"-{name}"


class SearchPagination(PageNumberPagination):
    """Pages of a search (community_service.search.query): the seed's envelope plus `match` and
    `total_capped`; `total` is exact up to search.MAX_RESULTS, and pages past it are a 400."""

    def paginate_search(self, request: Request, run: Any) -> list:
        """`run(page, page_size)` returns a SearchPage; its items are this page."""
        self._validate_positive_int(request, self.page_query_param, maximum=MAX_PAGE)
        self._validate_positive_int(request, self.page_size_query_param, maximum=self.max_page_size)
        self.number = int(request.query_params.get(self.page_query_param, 1))
        self.size = self.get_page_size(request)
        self.result = run(self.number, self.size)
        return self.result.items

    def envelope(self, data: Any) -> dict[str, Any]:  # a many=True serializer's data
        total = self.result.total
        return {
            "items": data,
            "total": total,
            "page": self.number,
            "page_size": self.size,
            "pages": math.ceil(total / self.size) if total else 0,
            "match": self.result.match,
            "total_capped": self.result.capped,
        }
