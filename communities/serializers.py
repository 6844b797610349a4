from collections.abc import Callable
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from rest_framework import serializers

from communities.models import SLUG_REGEX, Community, CommunityStatus, CommunityType
from communities.public_fields import COMMUNITY_PUBLIC_FIELDS
from communities.selectors import community_detail_cached, looks_like_uuid
from community_service.api.fields import NameField, StrictBooleanField, StrictCharField, StrictRegexField, iso_datetime
from community_service.api.rendered import Rendered, is_rendered, render
from community_service.search.api import HIGHLIGHT_HELP, ITEM_MATCH_HELP
from community_service.search.query import LANGUAGE_CHOICES


class CommunityOutputSerializer(serializers.ModelSerializer):
    owner_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = Community
        fields = list(COMMUNITY_PUBLIC_FIELDS)
        read_only_fields = fields


def _fast_converters() -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """(field, its attribute, what makes its value the serializer's output or None for the
    value as it is), read off CommunityOutputSerializer's own fields once, at import."""
    by_class: list[tuple[type[serializers.Field], Callable[[Any], Any] | None]] = [
        (serializers.UUIDField, str),
        (serializers.DateTimeField, iso_datetime),  # TIME_ZONE=UTC, as DRF prints it
        # str, bool, int values are their own output (ChoiceField before CharField: neither subclasses the other).
        (serializers.ChoiceField, None),
        (serializers.CharField, None),
        (serializers.BooleanField, None),
        (serializers.IntegerField, None),
    ]
    converters = []
    for name, drf_field in CommunityOutputSerializer().fields.items():
        source = drf_field.source or name
        for kind, convert in by_class:
            if isinstance(drf_field, kind) and "." not in source:
                converters.append((name, source, convert))
                break
        else:
            raise ImproperlyConfigured(f"community_data cannot render {name} ({type(drf_field).__name__}): "
                                       "add its kind.")
    return tuple(converters)


_FAST_CONVERTERS = _fast_converters()


def community_data(community: Community) -> dict:
    """Exactly CommunityOutputSerializer(community).data (a test compares them field by field),
    about seven times faster: DRF's generic field machinery costs ~0.07 ms per object, which a
    page of 20 pays 20 times. Its fields and their conversions come from the serializer."""
    return {name: getattr(community, source) if convert is None else convert(getattr(community, source))
            for name, source, convert in _FAST_CONVERTERS}


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
