"""The access-token claims the seed specifies: sub, email, roles, permissions, is_superadmin."""

from rest_framework_simplejwt.tokens import RefreshToken

from members.models import User

# Platform-wide permissions (community-scoped ones come from Member roles, not the token).
PLATFORM_PERMISSIONS_USER = ["community.create"]


def user_claims(user: User) -> dict:
    return {
        "email": user.email,
        "roles": ["superadmin"] if user.is_superuser else ["user"],
        "permissions": PLATFORM_PERMISSIONS_USER,
        "is_superadmin": user.is_superuser,
    }


def token_pair_for(user: User) -> dict[str, str]:
    refresh = RefreshToken.for_user(user)
    # Claims on the refresh token are copied to every access token minted from it.
    for claim, value in user_claims(user).items():
        refresh[claim] = value
    return {"refresh": str(refresh), "access": str(refresh.access_token)}
