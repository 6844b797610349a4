"""List endpoints with `?search=`: the view runs a search instead of paging the queryset."""

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import OpenApiParameter, inline_serializer
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from community_service.api.pagination import PageNumberPagination, SearchPagination
from community_service.search.query import FULLTEXT, FUZZY, MAX_RESULTS, SearchPage

# Search text refuses NUL like every text field (the schema's pattern says so).
NO_NUL = "^[^\\u0000]*$"
# The schema of a required search text (`?q=`, a comment search's `?search=`).
REQUIRED_SEARCH_TEXT = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": NO_NUL}

MATCH_HELP = (
    f'How the results matched: "{FULLTEXT}" (words, their other forms, or a prefix of the last word) or '
    f'"{FUZZY}" (full text found little, so names or titles spelled like the query were added: typos).'
)
CAPPED_HELP = (
    f"true when more than {MAX_RESULTS} results matched: `total` is then {MAX_RESULTS} (read it as "
    f'"more than {MAX_RESULTS}") and pages stop there (a deeper page is a 400). Narrow the query to see the rest.'
)
ITEM_MATCH_HELP = f'"{FULLTEXT}" or "{FUZZY}": how this result matched.'
HIGHLIGHT_HELP = (
    "The matched text, HTML-escaped, with the query's words wrapped in <mark>…</mark>: short fields whole, long "
    "ones as fragments around the matches. Without marks for a fuzzy match."
)


def search_text(request: Request, param: str = "search") -> str:
    """The query, or "" for no search (absent, or only spaces)."""
    return request.query_params.get(param, "").strip()


# The mixin's super() and self.request are those of the GenericAPIView it is mixed into.
if TYPE_CHECKING:
    _ViewBase = GenericAPIView
else:
    _ViewBase = object


class SearchListMixin(_ViewBase):
    """`list` with `?search=` answers a ranked, capped search page (SearchPagination);
    without it, the view's usual pagination. The view implements `run_search`."""

    search_serializer_class: type[serializers.Serializer]
    _search_pagination: SearchPagination | None = None

    def run_search(self, queryset: Any, *, text: str, page: int, page_size: int) -> SearchPage:
        raise NotImplementedError

    def searching(self) -> bool:
        return bool(search_text(self.request))

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Any]]:
        if getattr(self, "action", None) == "list" and self.searching():
            return self.search_serializer_class
        return super().get_serializer_class()

    def paginate_queryset(self, queryset: Any) -> list | None:
        if not self.searching():
            return super().paginate_queryset(queryset)
        self._search_pagination = SearchPagination()
        text = search_text(self.request)
        return self._search_pagination.paginate_search(
            self.request, lambda page, size: self.run_search(queryset, text=text, page=page, page_size=size)
        )

    def get_paginated_response(self, data: list) -> Response:
        if self._search_pagination is not None:
            return Response(self._search_pagination.envelope(data))
        return super().get_paginated_response(data)


def plain_page_schema(name: str, item_serializer: Any) -> Any:
    """The seed's page envelope, for endpoints whose 200 is either a page or a search page."""
    return inline_serializer(f"{name}Page", {
        "items": item_serializer(many=True), "total": serializers.IntegerField(),
        "page": serializers.IntegerField(), "page_size": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
    })


def search_page_schema(name: str, item_serializer: Any) -> Any:
    """The 200 body of a search page, for extend_schema."""
    return inline_serializer(f"{name}SearchPage", {
        "items": item_serializer(many=True),
        "total": serializers.IntegerField(help_text=f"Exact up to {MAX_RESULTS}; see total_capped."),
        "page": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "pages": serializers.IntegerField(),
        "match": serializers.ChoiceField(choices=[FULLTEXT, FUZZY], help_text=MATCH_HELP),
        "total_capped": serializers.BooleanField(help_text=CAPPED_HELP),
    })


SEARCH_PAGE_HELP = (
    f"Pages of a search stop at result {MAX_RESULTS}: a page past it is a 400 naming `page`."
)


def search_page_parameters() -> list[OpenApiParameter]:
    """`page` and `page_size` of a search page (views without a paginated queryset)."""
    return [OpenApiParameter(p["name"], {**p["schema"]}, description=p["description"])
            for p in PageNumberPagination().get_schema_operation_parameters(None)]


def search_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "search", {"type": "string", "maxLength": 200, "pattern": NO_NUL},
        description=(
            f"Search {what}: words in any form (stemmed in the community's language; exact spelling ranks higher), "
            '"quoted phrases", -excluded words and `or`; the last word also matches as a prefix (search-as-you-type). '
            "When full text finds little, similar spellings in names/titles are added (typos). Ranked by relevance, "
            "then newest, unless `ordering` is given. The response then adds `match` and `total_capped`, and each item "
            f"`match` and `highlight`. {SEARCH_PAGE_HELP}"
        ),
    )
