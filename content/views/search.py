"""Global search over the communities and posts the caller may see."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from community_service.api.fields import StrictCharField
from community_service.api.pagination import PageNumberPagination
from communities.selectors import community_search
from members.selectors.communities import community_list_visible
from communities.serializers import CommunityOutputSerializer
from content.selectors.posts import post_global_search
from content.serializers.posts import PostOutputSerializer
from members.permissions import is_superadmin

# How many communities to show above the post results.
TOP_COMMUNITIES = 5


class SearchQuerySerializer(serializers.Serializer):
    # Not trimmed here: a query of only whitespace or control characters is valid and finds nothing.
    q = StrictCharField(min_length=1, max_length=200, trim_whitespace=False)


class SearchView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        tags=["search"],
        summary="Search communities and posts (PostgreSQL full text, ranked)",
        parameters=[
            OpenApiParameter("q", {"type": "string", "minLength": 1, "maxLength": 200},
                             required=True, description="Words to find (web-search syntax)."),
            *[OpenApiParameter(p["name"], {**p["schema"]}, description=p["description"])
              for p in PageNumberPagination().get_schema_operation_parameters(None)],
        ],
        responses={200: inline_serializer("SearchResults", {
            "communities": CommunityOutputSerializer(many=True),
            "posts": inline_serializer("SearchPostPage", {
                "items": PostOutputSerializer(many=True), "total": serializers.IntegerField(),
                "page": serializers.IntegerField(), "page_size": serializers.IntegerField(),
                "pages": serializers.IntegerField(),
            }),
        })},
    )
    def get(self, request: Request) -> Response:
        query = SearchQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        text = query.validated_data["q"]
        viewer = request.user.pk if request.user.is_authenticated else None
        superadmin = is_superadmin(request)
        communities = community_search(community_list_visible(viewer_id=viewer, superadmin=superadmin), text=text)
        posts = post_global_search(text=text, user_id=viewer, superadmin=superadmin)
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(posts, request, view=self)
        return Response({
            "communities": CommunityOutputSerializer(communities[:TOP_COMMUNITIES], many=True).data,
            "posts": paginator.envelope(PostOutputSerializer(page, many=True).data),
        })


urlpatterns = [path("search", SearchView.as_view(), name="search")]
