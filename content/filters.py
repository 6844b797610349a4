import django_filters
from django.db.models import QuerySet

from community_service.api.filters import StrictFilterSet
from content.models import Post, PostStatus


class PostFilter(StrictFilterSet):
    channel = django_filters.UUIDFilter(field_name="channel_id")
    author = django_filters.UUIDFilter(field_name="author_id")
    status = django_filters.ChoiceFilter(
        choices=PostStatus.choices,
        help_text="Default: published. Drafts: only your own; pending_review/rejected: yours, or all with "
        "post.moderate.",
    )
    search = django_filters.CharFilter(method="filter_search", max_length=200,
                                       help_text="Search titles and contents (see the list's docs).")

    class Meta:
        model = Post
        fields = ["channel", "author", "status", "search"]

    def filter_queryset(self, queryset: QuerySet[Post]) -> QuerySet[Post]:
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=PostStatus.PUBLISHED)
        return super().filter_queryset(queryset)

    def filter_search(self, queryset: QuerySet[Post], name: str, value: str) -> QuerySet[Post]:
        # Validated here, run by the view (SearchListMixin): ranking over a bounded candidate
        # set and the typo fallback need the whole filtered queryset.
        return queryset
