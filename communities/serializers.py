from rest_framework import serializers

from communities.models import SLUG_REGEX, Community, CommunityStatus, CommunityType
from communities.selectors import community_detail_cached, looks_like_uuid
from community_service.api.fields import NameField, StrictBooleanField, StrictCharField, StrictRegexField, iso_datetime
from community_service.api.rendered import Rendered, is_rendered, render
from community_service.search.api import HIGHLIGHT_HELP, ITEM_MATCH_HELP
from community_service.search.query import LANGUAGE_CHOICES


class CommunityOutputSerializer(serializers.ModelSerializer):
    owner_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Community
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "community_type",
            "language",
            "status",
            "post_moderation",
            "owner_id",
            "member_count",
            "post_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def community_data(community: Community) -> dict:
    """Exactly CommunityOutputSerializer(community).data (a test compares them field by field),
    about seven times faster: DRF's generic field machinery costs ~0.07 ms per object, which a
    page of 20 pays 20 times. The serializer stays the schema's source of truth."""
    return {
        "id": str(community.id),
        "name": community.name,
        "slug": community.slug,
        "description": community.description,
        "community_type": community.community_type,
        "language": community.language,
        "status": community.status,
        "post_moderation": community.post_moderation,
        "owner_id": str(community.owner_id),
        "member_count": community.member_count,
        "post_count": community.post_count,
        "created_at": iso_datetime(community.created_at),
        "updated_at": iso_datetime(community.updated_at),
    }


class CommunityHighlightSerializer(serializers.Serializer):
    name = serializers.CharField()
    description = serializers.CharField()


class CommunitySearchResultSerializer(CommunityOutputSerializer):
    """A community found by ?search=: how it matched and where (community_service.search.api)."""

    match = serializers.CharField(source="search_match", read_only=True, help_text=ITEM_MATCH_HELP)
    highlight = CommunityHighlightSerializer(source="search_highlight", read_only=True, help_text=HIGHLIGHT_HELP)

    class Meta(CommunityOutputSerializer.Meta):
        fields = [*CommunityOutputSerializer.Meta.fields, "match", "highlight"]
        read_only_fields = fields


def community_search_data(community: Community) -> dict:
    """Exactly CommunitySearchResultSerializer(community).data (a test compares them):
    community_data, how it matched and where; DRF built the serializer's fields on every
    search (~1.5 ms of a search page)."""
    highlight = community.search_highlight  # type: ignore[attr-defined]  # set by community_search
    return {**community_data(community), "match": str(community.search_match),  # type: ignore[attr-defined]
            "highlight": {key: None if highlight[key] is None else str(highlight[key])
                          for key in ("name", "description")}}


class CommunityInputSerializer(serializers.Serializer):
    """What a client may write. Counters, owner and timestamps are server-owned."""

    name = NameField(max_length=255)
    slug = StrictRegexField(
        SLUG_REGEX,
        max_length=255,
        required=False,
        message="Use 2-255 lowercase letters, digits or hyphens, starting and ending with a letter or digit.",
    )
    description = StrictCharField(max_length=5000, required=False, allow_blank=True, default="")
    community_type = serializers.ChoiceField(choices=CommunityType.choices, default=CommunityType.PUBLIC)
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES, required=False,
        help_text="ISO 639-1 code of the language the community writes in (und: none); search stems its name, "
        "description, posts and comments in it. Default: the server's SEARCH_DEFAULT_LANGUAGE.",
    )
    post_moderation = StrictBooleanField(
        default=False, help_text="Hold published posts of members without post.moderate for review (docs/content.md)."
    )

    def validate_slug(self, value: str) -> str:
        # The detail route accepts an id or a slug, so a slug must never look like an id.
        if looks_like_uuid(value):
            raise serializers.ValidationError("A slug cannot have the shape of a UUID.")
        return value


class CommunityUpdateSerializer(CommunityInputSerializer):
    # Owners may archive or re-activate; suspension is for platform staff (admin).
    status = serializers.ChoiceField(
        choices=[(CommunityStatus.ACTIVE, "Active"), (CommunityStatus.ARCHIVED, "Archived")], required=False
    )


def community_detail_rendered(*, id_or_slug: str, prefetched: dict | None = None) -> tuple[Rendered, str, str]:
    """The cached detail entry of a live community: `((JSON bytes, ETag), id, community_type)`.
    Writers drop it on every change, deletion included, so a hit also proves the community
    live. `prefetched` as for cache_get_or_set. Raises NotFound."""
    return community_detail_cached(id_or_slug=id_or_slug, serialize=lambda c: render(community_data(c)),
                                   valid=is_rendered, prefetched=prefetched)
