import django_filters
from django.db.models import QuerySet

from communities.models import Community, CommunityStatus, CommunityType
from community_service.api.filters import StrictFilterSet


class CommunityFilter(StrictFilterSet):
    search = django_filters.CharFilter(
        method="filter_search", max_length=200, help_text="Search names and descriptions (see the list's docs)."
    )
    community_type = django_filters.ChoiceFilter(choices=CommunityType.choices)
    status = django_filters.ChoiceFilter(choices=CommunityStatus.choices)
    owner = django_filters.UUIDFilter(field_name="owner_id", help_text="Owner's user id.")
    ordering = django_filters.OrderingFilter(
        fields=(("created_at", "created_at"), ("member_count", "member_count"), ("name", "name")),
        help_text="created_at, member_count or name; prefix with - for descending. Default: -created_at "
        "(or relevance when searching).",
    )

    class Meta:
        model = Community
        fields = ["search", "community_type", "status", "owner"]

    def filter_search(self, queryset: QuerySet[Community], name: str, value: str) -> QuerySet[Community]:
        # Validated here, run by the view (SearchListMixin): ranking over a bounded candidate
        # set and the typo fallback need the whole filtered queryset, not a narrowed one.
        return queryset
