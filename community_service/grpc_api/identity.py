"""Who a gRPC call comes from, as the interceptor established it, for the servicers to read.

`service` is the calling service's credential name (community_service.grpc_api.credentials),
or API_KEY_SERVICE for a member's personal API key, whose owner and grant then come along
(members.grpc_api.caller reads them)."""

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from uuid import UUID

API_KEY_SERVICE = "api-key"


@dataclass(frozen=True)
class CallIdentity:
    service: str
    acts_for_users: bool
    key_owner_id: UUID | None = None
    grant: Any = None  # members.selectors.access.KeyGrant, for an API key


call_identity: ContextVar[CallIdentity | None] = ContextVar("grpc_call_identity", default=None)
