"""Who is calling over gRPC, the twin of JWT authentication + request_community_access.

An internal service that presented its credential (community_service.grpc_api.credentials)
calls either as itself, or, if its credential allows acting for users, on behalf of a user
by sending `x-user-id: <user UUID>` metadata; it then gets exactly that user's permissions
(a superuser's are a superadmin's, as with a JWT). The service itself reads like a
superadmin (every live community and channel, posts waiting for review; never someone's
draft) and writes nothing: writes need a user to act as.

A member's API key (`authorization: Bearer cs_live_…`, key_identity) calls as its owner,
narrowed by the policy exactly as over REST (members.policy, "API keys").
"""

import uuid
from dataclasses import dataclass, field
from uuid import UUID

import grpc

from communities.models import Community
from communities.selectors import community_get
from community_service.exceptions import PermissionDenied, Unauthenticated, ValidationFailed
from community_service.grpc_api.identity import API_KEY_SERVICE, CallIdentity, call_identity
from community_service.observability.request_context import user_id_var
from members import policy
from members.models import User
from members.selectors.access import CommunityAccess, KeyGrant, community_access
from members.services.api_keys import api_key_authenticate

USER_ID_METADATA = "x-user-id"


@dataclass
class Caller:
    user: User | None
    is_superadmin: bool
    grant: KeyGrant | None = None
    _access: dict[str, CommunityAccess] = field(default_factory=dict, repr=False)

    @property
    def user_id(self) -> uuid.UUID | None:
        return self.user.pk if self.user is not None else None

    def require_user(self) -> User:
        """The user the call acts for; UNAUTHENTICATED when the service calls as itself."""
        if self.user is None:
            raise Unauthenticated(f"This call acts on behalf of a user: send `{USER_ID_METADATA}` metadata.")
        return self.user

    def access(self, community_id: UUID) -> CommunityAccess:
        """The caller's access in a community, resolved once per call (cached in Redis)."""
        key = str(community_id)
        if key not in self._access:
            if self.user is None:  # the service itself: no membership, a superadmin's reach
                self._access[key] = CommunityAccess(community_id=community_id, is_superadmin=True)
            else:
                access = community_access(community_id=community_id, user=self.user, is_superadmin=self.is_superadmin)
                self._access[key] = access if self.grant is None else self.grant.narrow(access)
        return self._access[key]

    def community(self, id_or_slug: str) -> Community:
        """A live community the caller may see (the policy's gate, as over REST): PermissionDenied
        `banned` for banned users, NotFound for private ones they are not in."""
        if not id_or_slug:
            raise ValidationFailed("This field is required.", field="community_id", code="required")
        community = community_get(id_or_slug=id_or_slug)
        policy.require_sees_community(community.community_type, self.access(community.pk))
        return community


def key_identity(secret: str, method: str) -> CallIdentity:
    """settings.GRPC_KEY_AUTHENTICATOR: a live API key whose scopes allow `method`, or the
    refusal (Unauthenticated for a bad key, PermissionDenied `key_scope`)."""
    user, grant = api_key_authenticate(secret)
    policy.require_key_scope(grant, policy.key_scope_for_rpc(method))
    return CallIdentity(service=API_KEY_SERVICE, acts_for_users=False, key_owner_id=user.pk, grant=grant)


def grpc_caller(context: grpc.ServicerContext) -> Caller:
    """The caller of this call, from the identity the interceptor established and the metadata.

    Raises Unauthenticated when x-user-id is not the UUID of an active user, PermissionDenied
    `acting_not_granted` when the calling service may not act for users (or an API key tries to).
    """
    identity = call_identity.get()
    if identity is None:
        raise Unauthenticated("The call was not authenticated.")
    raw = next((value for key, value in context.invocation_metadata() if key == USER_ID_METADATA), "")
    if identity.key_owner_id is not None:
        if raw and raw != str(identity.key_owner_id):
            raise PermissionDenied("An API key acts for its owner only.", code="acting_not_granted")
        owner = User.objects.filter(pk=identity.key_owner_id, is_active=True).first()
        if owner is None:
            raise Unauthenticated("Invalid API key.", code="key_invalid")
        user_id_var.set(str(owner.pk))
        return Caller(user=owner, is_superadmin=False, grant=identity.grant)
    if not raw:
        return Caller(user=None, is_superadmin=True)
    if not identity.acts_for_users:
        raise PermissionDenied(f"The service {identity.service} may not act for users.", code="acting_not_granted")
    try:
        user_id = uuid.UUID(raw)
    except ValueError:
        raise Unauthenticated(f"`{USER_ID_METADATA}` must be a user UUID.") from None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        raise Unauthenticated(f"`{USER_ID_METADATA}` names no active user.")
    user_id_var.set(str(user.pk))  # logs and outbox events name the user, as for HTTP
    return Caller(user=user, is_superadmin=user.is_superuser)
