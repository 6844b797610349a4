import django_filters
from django.db.models import QuerySet

from community_service.api.filters import StrictFilterSet
from members.models import Member, MemberStatus
from members.selectors.memberships import member_search


class MemberFilter(StrictFilterSet):
    status = django_filters.ChoiceFilter(
        choices=MemberStatus.choices,
        help_text="Default: active. Other statuses need member.manage (banned: member.ban).",
    )
    role = django_filters.UUIDFilter(field_name="roles", help_text="Members holding this role id.")
    search = django_filters.CharFilter(method="filter_search", max_length=100, help_text="Nickname or username.")

    class Meta:
        model = Member
        fields = ["status", "role", "search"]

    def filter_search(self, queryset: QuerySet[Member], name: str, value: str) -> QuerySet[Member]:
        value = value.strip()
        return member_search(queryset, text=value) if value else queryset
