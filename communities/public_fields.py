"""The fields a community shows whoever may see it, in the order every answer lists them.

The one list: CommunityOutputSerializer's fields (REST, and so the cached detail entry the
pre-DRF fast path answers), the columns the community reads load
(communities/selectors.py) and gRPC's `Community` message (content/grpc_api/communities.py)
are derived from it when their modules are imported, and
tests/communities/test_public_fields.py compares the three answers for one community. A
field added here without its twin in the proto fails the gRPC module's import.
"""

COMMUNITY_PUBLIC_FIELDS: tuple[str, ...] = (
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
)
