"""Which paid levels a user holds: a registry that lets content gate posts without billing.

Content and billing are on the same layer and never import each other. Content owns the
gate (`Post.required_level_ids`, plain UUIDs) and asks this registry who holds which
levels; billing registers the source in its AppConfig.ready(). With no source registered
nobody holds a level and no level id is known, so gated posts stay locked and new gates
are refused, the safe default.
"""

from typing import Protocol
from uuid import UUID


class EntitlementSource(Protocol):
    def held_level_ids(self, *, user_id: UUID) -> frozenset:
        """Level ids whose access the user holds right now, in every community."""

    def unknown_level_ids(self, *, community_id: UUID, level_ids: list) -> set:
        """Those of `level_ids` that are not levels of this community."""


_source: EntitlementSource | None = None


def entitlement_source_register(source: EntitlementSource) -> None:
    global _source
    _source = source


def held_level_ids(*, user_id: UUID | None) -> frozenset:
    if user_id is None or _source is None:
        return frozenset()
    return _source.held_level_ids(user_id=user_id)


def unknown_level_ids(*, community_id: UUID, level_ids: list) -> set:
    if _source is None:
        return set(level_ids)
    return _source.unknown_level_ids(community_id=community_id, level_ids=level_ids)
