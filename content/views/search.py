"""Global search over the communities and posts the caller may see."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.selectors import community_search
from communities.serializers import CommunitySearchResultSerializer
from community_service.api.fields import StrictCharField
from community_service.api.pagination import SearchPagination
from community_service.search.api import REQUIRED_SEARCH_TEXT, search_page_parameters, search_page_schema
from community_service.search.query import MAX_RESULTS
from content.selectors.posts import post_global_search
from content.serializers.posts import PostSearchResultSerializer
from members.permissions import is_superadmin
from members.selectors.communities import community_list_visible

# How many communities to show above the post results.
TOP_COMMUNITIES = 5


class SearchQuerySerializer(serializers.Serializer):
    # Not trimmed here: a query of only whitespace or control characters is valid and finds nothing.
    q = StrictCharField(min_length=1, max_length=200, trim_whitespace=False)


class SearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["search"],
        summary="Search communities and posts (PostgreSQL full text, ranked, typo-tolerant)",
        description=(
            "Communities (the best 5) and posts (paged) the caller may read, in every supported language. "
            "Query syntax, `match`, `highlight` and the count cap are as for `GET /communities?search=`: "
            f"`total` is exact up to {MAX_RESULTS} (`total_capped` past it) and deeper pages are a 400."
        ),
        parameters=[
            OpenApiParameter("q", REQUIRED_SEARCH_TEXT, required=True,
                             description='Words in any form, "quoted phrases", -excluded words, `or`; the last word '
                             "also matches as a prefix."),
            *search_page_parameters(),
        ],
        responses={200: inline_serializer("SearchResults", {
            "communities": CommunitySearchResultSerializer(many=True),
            "posts": search_page_schema("GlobalPost", PostSearchResultSerializer),
        })},
    )
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"]
        viewer = request.user.pk if request.user.is_authenticated else None
        superadmin = is_superadmin(request)
        paginator = SearchPagination()
        posts = paginator.paginate_search(request, lambda page, size: post_global_search(
            text=text, user_id=viewer, superadmin=superadmin, page=page, page_size=size))
        communities = community_search(community_list_visible(viewer_id=viewer, superadmin=superadmin), text=text,
                                       page=1, page_size=TOP_COMMUNITIES)
        return Response({
            "communities": CommunitySearchResultSerializer(communities.items, many=True).data,
            "posts": paginator.envelope(PostSearchResultSerializer(posts, many=True).data),
        })


urlpatterns = [path("search", SearchView.as_view(), name="search")]
