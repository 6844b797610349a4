from django.urls import URLPattern, URLResolver, path

from members.views import api_keys, auth, bots, communities, invites, memberships, moderation, roles, webhooks

C = "communities/<str:community_pk>"


# Every route is a path() naming its viewset's actions: one way to declare them, read top to bottom.
urlpatterns: list[URLPattern | URLResolver] = [
    path("communities", communities.CommunityViewSet.as_view({"get": "list", "post": "create"}),
         name="community-list"),
    path("communities/<str:pk>", communities.CommunityViewSet.as_view(
        {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="community-detail"),
    path("auth/register", auth.RegisterView.as_view(), name="auth-register"),
    path("auth/token", auth.TokenObtainView.as_view(), name="auth-token"),
    path("auth/token/refresh", auth.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("auth/logout", auth.LogoutView.as_view(), name="auth-logout"),
    path("auth/logout-all", auth.LogoutEverywhereView.as_view(), name="auth-logout-all"),
    path("auth/me", auth.MeView.as_view(), name="auth-me"),
    path("auth/close-account", auth.AccountCloseView.as_view(), name="auth-close-account"),
    path("auth/password", auth.PasswordChangeView.as_view(), name="auth-password"),
    path("auth/email", auth.EmailChangeView.as_view(), name="auth-email"),
    path("auth/email/confirm", auth.EmailChangeConfirmView.as_view(), name="auth-email-confirm"),
    path("auth/password-reset", auth.PasswordResetView.as_view(), name="auth-password-reset"),
    path("auth/password-reset/confirm", auth.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"),
    path("me/communities", communities.MyCommunityViewSet.as_view({"get": "list"}), name="my-communities"),
    path("me/api-keys", api_keys.ApiKeyViewSet.as_view({"get": "list", "post": "create"}), name="api-key-list"),
    path("me/api-keys/<uuid:key_id>", api_keys.ApiKeyViewSet.as_view({"delete": "destroy"}), name="api-key-detail"),
    # members
    path(f"{C}/members", memberships.MemberViewSet.as_view({"get": "list", "post": "create"}), name="member-list"),
    path(f"{C}/members/me", memberships.MemberViewSet.as_view({"get": "me"}), name="member-me"),
    path(
        f"{C}/members/<uuid:user_id>",
        memberships.MemberViewSet.as_view(
            {"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}
        ),
        name="member-detail",
    ),
    path(f"{C}/join-requests", memberships.JoinRequestViewSet.as_view({"get": "list"}), name="join-request-list"),
    path(f"{C}/join-requests/<uuid:user_id>/approve", memberships.JoinRequestViewSet.as_view({"post": "approve"}),
         name="join-request-approve"),
    path(f"{C}/join-requests/<uuid:user_id>/reject", memberships.JoinRequestViewSet.as_view({"post": "reject"}),
         name="join-request-reject"),
    path(f"{C}/bans", moderation.BanViewSet.as_view({"get": "list", "post": "create"}), name="ban-list"),
    path(f"{C}/bans/<uuid:user_id>", moderation.BanViewSet.as_view({"delete": "destroy"}), name="ban-detail"),
    path(f"{C}/mutes", moderation.MuteViewSet.as_view({"get": "list", "post": "create"}), name="mute-list"),
    path(f"{C}/mutes/<uuid:user_id>", moderation.MuteViewSet.as_view({"delete": "destroy"}), name="mute-detail"),
    path(f"{C}/transfer-ownership", memberships.OwnershipViewSet.as_view({"post": "transfer"}),
         name="community-transfer-ownership"),
    # bot accounts (webhook.manage)
    path(f"{C}/bots", bots.BotViewSet.as_view({"get": "list", "post": "create"}), name="bot-list"),
    path(f"{C}/bots/<uuid:user_id>", bots.BotViewSet.as_view({"delete": "destroy"}), name="bot-detail"),
    path(f"{C}/bots/<uuid:user_id>/api-keys", bots.BotViewSet.as_view({"post": "create_key"}), name="bot-api-keys"),
    # webhooks (webhook.manage)
    path(f"{C}/webhooks", webhooks.WebhookViewSet.as_view({"get": "list", "post": "create"}), name="webhook-list"),
    path(f"{C}/webhooks/<uuid:endpoint_id>", webhooks.WebhookViewSet.as_view(
        {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}), name="webhook-detail"),
    path(f"{C}/webhooks/<uuid:endpoint_id>/rotate-secret", webhooks.WebhookViewSet.as_view({"post": "rotate_secret"}),
         name="webhook-rotate-secret"),
    path(f"{C}/webhooks/<uuid:endpoint_id>/deliveries", webhooks.WebhookViewSet.as_view({"get": "deliveries"}),
         name="webhook-deliveries"),
    path(f"{C}/webhooks/<uuid:endpoint_id>/deliveries/<uuid:delivery_id>/redeliver",
         webhooks.WebhookViewSet.as_view({"post": "redeliver"}), name="webhook-redeliver"),
    # roles
    path(f"{C}/roles", roles.RoleViewSet.as_view({"get": "list", "post": "create"}), name="role-list"),
    path(
        f"{C}/roles/<uuid:role_id>",
        roles.RoleViewSet.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
        name="role-detail",
    ),
    # invites
    path(f"{C}/invites", invites.InviteViewSet.as_view({"get": "list", "post": "create"}), name="invite-list"),
    path(f"{C}/invites/<uuid:invite_id>", invites.InviteViewSet.as_view({"delete": "destroy"}), name="invite-detail"),
    path("invites/<str:code>", invites.InviteCodeView.as_view(), name="invite-preview"),
    path("invites/<str:code>/accept", invites.InviteAcceptView.as_view(), name="invite-accept"),
]
