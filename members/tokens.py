"""The access-token claims the seed specifies (sub, email, roles, permissions, is_superadmin),
and the session generation each token was minted under."""

from typing import Any

from rest_framework_simplejwt.tokens import RefreshToken

from communities.services import community_create_allowed
from members.models import User

# Platform-wide permissions (community-scoped ones come from Member roles, not the token).
COMMUNITY_CREATE = "community.create"

# User.token_generation when the token was minted. Authentication and refresh refuse a token
# whose generation is no longer the user's; tokens minted before the claim existed count as 0.
TOKEN_GENERATION_CLAIM = "gen"
TOKEN_REVOKED = "This token was revoked (a password change or reset, or a sign-out everywhere): sign in again."


def token_generation(token: Any) -> int:
    """The generation a validated token (access or refresh) was minted under."""
    return int(token.get(TOKEN_GENERATION_CLAIM, 0))


def user_claims(user: User) -> dict:
    """The claims every token minted for `user` carries besides simplejwt's own."""
    return {
        "email": user.email,
        "roles": ["superadmin"] if user.is_superuser else ["user"],
        # What COMMUNITY_CREATE_POLICY allows when the token is minted; POST /communities asks again.
        "permissions": [COMMUNITY_CREATE] if community_create_allowed(user) else [],
        "is_superadmin": user.is_superuser,
        TOKEN_GENERATION_CLAIM: user.token_generation,
    }


def token_pair_for(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    # Claims on the refresh token are copied to every access token minted from it.
    for claim, value in user_claims(user).items():
        refresh[claim] = value
    return {"refresh": str(refresh), "access": str(refresh.access_token)}
