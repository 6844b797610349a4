"""Writes for users, memberships and roles.

Every use case owns its transaction. Lock order, to keep concurrent writers from
deadlocking: member rows (by pk) first, then the community row (the counter update).
Caches (RBAC, roles, the community body that shows member_count) are dropped on commit.
"""

import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from rest_framework.exceptions import AuthenticationFailed
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken
from rest_framework_simplejwt.tokens import RefreshToken

from community_service.cache import cache_bump_version, cache_delete, invalidate_around_commit
from community_service.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from community_service.outbox.services import outbox_record
from community_service.request_context import user_id_var
from communities.audit import audit_record
from communities.models import AuditAction, Community, CommunityType, Invite
from members.catalogue import ALL_PERMISSIONS, DEFAULT_ROLES
from members.models import Member, MemberStatus, Role, User
from members.selectors import OWNER_PRIORITY, CommunityAccess, rbac_cache_namespace, roles_cache_key
from members.tokens import token_pair_for

# --- users and tokens ----------------------------------------------------------------------


def user_register(*, email: str, username: str, password: str) -> User:
    """Create an active account. Raises Conflict naming a taken email or username."""
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("A user with this email already exists.", field="email", code="unique")
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict("A user with this username already exists.", field="username", code="unique")
    try:
        with transaction.atomic():
            return User.objects.create_user(email=email, username=username, password=password)
    except IntegrityError:
        # Lost a race with a concurrent registration of the same email or username.
        raise Conflict("A user with this email or username already exists.", field="email", code="unique")


def _parse_refresh(refresh_token: str) -> RefreshToken:
    try:
        return RefreshToken(refresh_token)
    except TokenError as exc:
        raise InvalidToken(str(exc)) from exc


@transaction.atomic
def _blacklist(token: RefreshToken) -> None:
    """Blacklist once: the row lock makes two concurrent uses of one token yield one winner."""
    outstanding = OutstandingToken.objects.select_for_update().filter(jti=token[api_settings.JTI_CLAIM]).first()
    if outstanding is None:
        token.blacklist()  # minted before outstanding-tracking; creates both rows
        return
    _, created = BlacklistedToken.objects.get_or_create(token=outstanding)
    if not created:
        raise InvalidToken("Token is blacklisted")


def auth_token_refresh(*, refresh_token: str) -> dict[str, str]:
    """Rotate a refresh token: the old one is blacklisted and claims are re-read from the user.

    Raises InvalidToken (401) for a bad, expired or reused token and AuthenticationFailed
    (401) when the user was deleted or deactivated.
    """
    old = _parse_refresh(refresh_token)
    user = User.objects.filter(pk=old.payload.get(api_settings.USER_ID_CLAIM)).first()
    if user is None or not user.is_active:
        raise AuthenticationFailed("No active account found for the given token.", "no_active_account")
    _blacklist(old)
    return token_pair_for(user)


def user_logout(*, user: User, refresh_token: str) -> None:
    """Revoke the caller's refresh token so it can mint no more access tokens.

    Like OAuth token revocation (RFC 7009), a token that is already invalid, expired or
    revoked is a success: afterwards it cannot be used either way. Someone else's token
    is refused with PermissionDenied.
    """
    try:
        token = RefreshToken(refresh_token)
    except TokenError:
        return
    if str(token.payload.get(api_settings.USER_ID_CLAIM)) != str(user.pk):
        raise PermissionDenied("This refresh token belongs to another user.", field="refresh")
    try:
        _blacklist(token)
    except InvalidToken:
        return


# --- shared helpers ----------------------------------------------------------------------------


def _invalidate_rbac(community_id: object, *, counts_changed: bool = False, roles_changed: bool = False) -> None:
    def drop() -> None:
        cache_bump_version(rbac_cache_namespace(community_id))
        if roles_changed:
            cache_delete(roles_cache_key(community_id))
        if counts_changed:
            # member_count is part of the cached community body and lists.
            from communities.services import community_invalidate_cache

            community_invalidate_cache(community_id)

    invalidate_around_commit(drop)


def _change_member_count(community_id: object, delta: int) -> None:
    Community.objects.filter(pk=community_id).update(member_count=F("member_count") + delta)
    _invalidate_rbac(community_id, counts_changed=True)


def _default_role(community: Community) -> Role | None:
    return Role.objects.filter(community=community, is_default=True).first()


def _member_rank(member: Member) -> int:
    if member.is_owner:
        return OWNER_PRIORITY
    return max((role.priority for role in member.roles.all()), default=0)


def _require_outranks(actor: CommunityAccess, target: Member, action: str) -> None:
    """Discord's hierarchy: act on a member only from strictly above; nobody touches the owner."""
    if target.is_owner:
        raise PermissionDenied(f"Nobody can {action} the community owner.", code="owner_protected")
    if actor.rank <= _member_rank(target):
        raise PermissionDenied(
            f"You can only {action} members whose highest role is below yours.", code="hierarchy"
        )


def _validate_permissions(codes: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(codes))
    unknown = [code for code in codes if code not in ALL_PERMISSIONS]
    if unknown:
        raise ValidationFailed(f"Unknown permission code: {unknown[0]}.", field="permissions", code="invalid_choice")
    return codes


def _require_can_grant(actor: CommunityAccess, codes: Iterable[str]) -> None:
    missing = sorted(set(codes) - actor.effective_permissions)
    if missing:
        raise PermissionDenied(f"You cannot grant a permission you do not hold: {missing[0]}.", code="hierarchy")


def _locked_member(community: Community, user_id: object) -> Member | None:
    return Member.objects.select_for_update().filter(community=community, user_id=user_id).first()


def _lock_or_create_member(community: Community, user: User) -> Member:
    """The user's member row, locked; created (status left) if there is none yet.

    Under concurrency the unique (community, user) constraint lets one insert win; the
    others wait for it to commit and then lock the winner's row.
    """
    member = _locked_member(community, user.pk)
    if member is None:
        try:
            with transaction.atomic():
                member = Member.objects.create(community=community, user=user, status=MemberStatus.LEFT)
        except IntegrityError:
            member = _locked_member(community, user.pk)
    member.community = community  # already loaded by the caller; saves a query later
    return member


def _member_event(event_type: str, member: Member, **extra: object) -> None:
    """Outbox row in the caller's transaction (payload fields: docs/events.md)."""
    outbox_record(
        event_type=event_type, aggregate_type="member", aggregate_id=member.pk, community_id=member.community_id,
        payload={"community_id": member.community_id, "member_id": member.pk, "user_id": member.user_id, **extra},
    )


def _audit(actor: CommunityAccess | None, member: Member, action: str, reason: str = "") -> None:
    """Moderation actions on people go to the community's audit log, targeting the user.

    Without an actor (a caller outside a view) the request's authenticated user is named.
    """
    actor_id = actor.user_id if actor is not None and actor.user_id is not None else user_id_var.get()
    audit_record(community_id=member.community_id, actor_id=actor_id, action=action, target_type="member",
                 target_id=member.user_id, reason=reason)


def _role_event(event_type: str, role: Role, **extra: object) -> None:
    outbox_record(
        event_type=event_type, aggregate_type="role", aggregate_id=role.pk, community_id=role.community_id,
        payload={"community_id": role.community_id, "role_id": role.pk, "name": role.name, **extra},
    )


def _activate(member: Member, *, via_invite: bool = False) -> None:
    """Turn a (new, pending, or former) member row active with the default role."""
    member.status = MemberStatus.ACTIVE
    member.joined_at = timezone.now()
    member.left_at = None
    member.banned_until = None
    member.ban_reason = ""
    member.save()
    default = _default_role(member.community)
    member.roles.set([default] if default else [])
    _change_member_count(member.community_id, +1)
    _member_event("member.joined", member, **({"via_invite": True} if via_invite else {}))


def _deactivate(member: Member, *, status: str) -> None:
    was_active = member.status == MemberStatus.ACTIVE
    member.status = status
    member.left_at = timezone.now()
    member.save()
    member.roles.clear()
    if was_active:
        _change_member_count(member.community_id, -1)
    else:
        _invalidate_rbac(member.community_id)


# --- community bootstrap ------------------------------------------------------------------------


@transaction.atomic
def member_bootstrap_community(*, community: Community, owner: User) -> Member:
    """Create the default roles and the owner's membership. Runs inside community_create."""
    roles = Role.objects.bulk_create(
        Role(community=community, name=name, priority=priority, color=color, permissions=perms, is_default=default)
        for name, priority, color, perms, default in DEFAULT_ROLES
    )
    owner_member = Member.objects.create(
        community=community, user=owner, status=MemberStatus.ACTIVE, is_owner=True, joined_at=timezone.now()
    )
    owner_member.roles.set([role for role in roles if role.name == "Admin"])
    _member_event("member.joined", owner_member)
    return owner_member


# --- joining and leaving -------------------------------------------------------------------------


@transaction.atomic
def member_join(*, community: Community, user: User, message: str = "", via_invite: bool = False) -> Member:
    """Join by the community's rules: public → active; restricted → pending; private → invite only.

    Raises Conflict if already a member or already pending, PermissionDenied if banned or
    if the community needs an invite. Safe under concurrent joins of the same user: the
    unique (community, user) constraint lets exactly one insert win.
    """
    if community.community_type == CommunityType.PRIVATE and not via_invite:
        raise PermissionDenied("This community is private: join with an invite.", code="invite_required")
    target = (
        MemberStatus.PENDING
        if community.community_type == CommunityType.RESTRICTED and not via_invite
        else MemberStatus.ACTIVE
    )
    member = _lock_or_create_member(community, user)
    if member.status == MemberStatus.ACTIVE:
        raise Conflict("You are already a member of this community.", code="already_member")
    if member.status == MemberStatus.PENDING and target == MemberStatus.PENDING:
        raise Conflict("Your join request is already waiting for approval.", code="already_pending")
    if member.status == MemberStatus.BANNED:
        if member.banned_until is None or member.banned_until > timezone.now():
            raise PermissionDenied("You are banned from this community.", code="banned")
    if target == MemberStatus.ACTIVE:
        _activate(member, via_invite=via_invite)
    else:
        member.status = MemberStatus.PENDING
        member.join_message = message
        member.save(update_fields=["status", "join_message", "updated_at"])
        _invalidate_rbac(community.pk)
        _member_event("member.join_requested", member, **({"message": message} if message else {}))
    return member


@transaction.atomic
def member_leave(*, member: Member) -> Member:
    """Leave (or withdraw a pending request). The owner must transfer ownership first."""
    member = Member.objects.select_for_update().select_related("community").get(pk=member.pk)
    if member.is_owner:
        raise Conflict("The owner cannot leave; transfer ownership first.", code="owner_cannot_leave")
    if member.status not in (MemberStatus.ACTIVE, MemberStatus.PENDING):
        raise Conflict("You are not a member of this community.", code="not_member")
    was_active = member.status == MemberStatus.ACTIVE
    _deactivate(member, status=MemberStatus.LEFT)
    if was_active:
        _member_event("member.left", member, reason="left")
    return member


@transaction.atomic
def member_kick(*, actor: CommunityAccess, member: Member) -> Member:
    member = Member.objects.select_for_update().select_related("community").get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("Only active members can be kicked.", code="not_member")
    _require_outranks(actor, member, "kick")
    _deactivate(member, status=MemberStatus.KICKED)
    _member_event("member.left", member, reason="kicked")
    _audit(actor, member, AuditAction.MEMBER_KICKED)
    return member


@transaction.atomic
def join_request_decide(*, actor: CommunityAccess | None = None, member: Member, approve: bool) -> Member:
    """Approve (→ active, default role, counted) or reject a pending join request."""
    member = Member.objects.select_for_update().select_related("community").get(pk=member.pk)
    if member.status != MemberStatus.PENDING:
        raise Conflict("There is no pending join request for this user.", code="not_pending")
    if approve:
        _activate(member)
        _audit(actor, member, AuditAction.JOIN_APPROVED)
    else:
        _deactivate(member, status=MemberStatus.REJECTED)
        _audit(actor, member, AuditAction.JOIN_REJECTED)
    return member


# --- member settings and roles --------------------------------------------------------------------


@transaction.atomic
def member_update(
    *, actor: CommunityAccess, actor_user: User, member: Member, nickname: str | None = None,
    role_ids: list | None = None,
) -> Member:
    """Set a nickname (own: always; others: member.manage) and/or roles (role.manage).

    Roles may be added or removed only below the actor's rank and only when they grant
    nothing the actor lacks; another member's settings only from strictly above them.
    """
    member = Member.objects.select_for_update().select_related("community", "user").get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("Only active members can be updated.", code="not_member")
    is_self = member.user_id == actor_user.pk
    if nickname is not None:
        if not is_self:
            if not actor.has("member.manage"):
                raise PermissionDenied("Changing another member's nickname needs member.manage.")
            _require_outranks(actor, member, "rename")
        member.nickname = nickname
        member.save(update_fields=["nickname", "updated_at"])
    if role_ids is not None:
        if not actor.has("role.manage"):
            raise PermissionDenied("Changing roles needs role.manage.")
        if not is_self:
            _require_outranks(actor, member, "change the roles of")
        wanted = list(Role.objects.filter(community=member.community, pk__in=role_ids))
        if len(wanted) != len(set(map(str, role_ids))):
            raise ValidationFailed("Unknown role for this community.", field="role_ids", code="invalid")
        current = list(member.roles.all())
        changed = set(wanted) ^ set(current)
        for role in changed:
            if role.priority >= actor.rank:
                raise PermissionDenied(f"You can only assign roles below your own ({role.name}).", code="hierarchy")
            _require_can_grant(actor, role.permissions)
        member.roles.set(wanted)
        if changed:
            _member_event("member.roles_changed", member, role_ids=sorted(str(role.pk) for role in wanted))
            _audit(actor, member, AuditAction.MEMBER_ROLES_CHANGED)
    _invalidate_rbac(member.community_id)
    return member


# --- bans and mutes ----------------------------------------------------------------------------------


@transaction.atomic
def member_ban(
    *, actor: CommunityAccess, community: Community, user: User, duration: timedelta | None, reason: str = ""
) -> Member:
    """Ban a member, or pre-emptively a user who is not one. `duration=None` is permanent."""
    member = _lock_or_create_member(community, user)
    if member.status == MemberStatus.ACTIVE or member.is_owner:
        _require_outranks(actor, member, "ban")
    was_active = member.status == MemberStatus.ACTIVE
    member.banned_until = timezone.now() + duration if duration else None
    member.ban_reason = reason
    _deactivate(member, status=MemberStatus.BANNED)
    if was_active:
        _member_event("member.left", member, reason="banned")
    _member_event("member.banned", member, banned_until=member.banned_until, **({"reason": reason} if reason else {}))
    _audit(actor, member, AuditAction.MEMBER_BANNED, reason)
    return member


@transaction.atomic
def member_unban(*, actor: CommunityAccess | None = None, member: Member) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.BANNED:
        raise Conflict("This user is not banned.", code="not_banned")
    member.status = MemberStatus.LEFT
    member.banned_until = None
    member.ban_reason = ""
    member.save(update_fields=["status", "banned_until", "ban_reason", "updated_at"])
    _invalidate_rbac(member.community_id)
    _member_event("member.unbanned", member)
    _audit(actor, member, AuditAction.MEMBER_UNBANNED)
    return member


@transaction.atomic
def member_mute(*, actor: CommunityAccess, member: Member, duration: timedelta, reason: str = "") -> Member:
    """Muted members can read but not post, comment or react until `muted_until`."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.status != MemberStatus.ACTIVE:
        raise Conflict("Only active members can be muted.", code="not_member")
    _require_outranks(actor, member, "mute")
    member.muted_until = timezone.now() + duration
    member.save(update_fields=["muted_until", "updated_at"])
    _invalidate_rbac(member.community_id)
    _member_event("member.muted", member, muted_until=member.muted_until)
    _audit(actor, member, AuditAction.MEMBER_MUTED, reason)
    return member


@transaction.atomic
def member_unmute(*, actor: CommunityAccess | None = None, member: Member) -> Member:
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.muted_until is None or member.muted_until <= timezone.now():
        raise Conflict("This member is not muted.", code="not_muted")
    member.muted_until = None
    member.save(update_fields=["muted_until", "updated_at"])
    _invalidate_rbac(member.community_id)
    _member_event("member.unmuted", member)
    _audit(actor, member, AuditAction.MEMBER_UNMUTED)
    return member


# --- ownership ------------------------------------------------------------------------------------------


@transaction.atomic
def community_transfer_ownership(*, community: Community, new_owner: User) -> Community:
    """Hand the community to another active member. The old owner stays, with their roles."""
    members = list(
        Member.objects.select_for_update()
        .filter(community=community)
        .filter(Q(is_owner=True) | Q(user_id=new_owner.pk))
        .order_by("pk")
    )
    old = next((m for m in members if m.is_owner), None)
    new = next((m for m in members if m.user_id == new_owner.pk), None)
    if new is None or new.status != MemberStatus.ACTIVE:
        raise ValidationFailed("The new owner must be an active member.", field="user_id", code="not_member")
    if new.is_owner:
        raise Conflict("This member already owns the community.", code="already_owner")
    # Clear the old flag first: at most one owner per community is a database constraint.
    Member.objects.filter(pk=old.pk).update(is_owner=False)
    Member.objects.filter(pk=new.pk).update(is_owner=True)
    Community.objects.filter(pk=community.pk).update(owner=new_owner, updated_at=timezone.now())
    community.refresh_from_db()
    _invalidate_rbac(community.pk, counts_changed=True)
    outbox_record(
        event_type="community.ownership_transferred", aggregate_type="community", aggregate_id=community.pk,
        community_id=community.pk,
        payload={"community_id": community.pk, "owner_id": new_owner.pk, "name": community.name,
                 "previous_owner_id": old.user_id},
    )
    return community


# --- roles --------------------------------------------------------------------------------------------------


def _set_default_role(role: Role) -> None:
    Role.objects.filter(community_id=role.community_id, is_default=True).exclude(pk=role.pk).update(is_default=False)


@transaction.atomic
def role_create(
    *, actor: CommunityAccess, community: Community, name: str, permissions: list[str], priority: int = 0,
    color: str = "", is_default: bool = False,
) -> Role:
    permissions = _validate_permissions(permissions)
    if priority >= actor.rank:
        raise PermissionDenied("You can only create roles below your own.", code="hierarchy")
    _require_can_grant(actor, permissions)
    if Role.objects.filter(community=community, name__iexact=name).exists():
        raise Conflict("A role with this name already exists.", field="name", code="unique")
    role = Role(community=community, name=name, permissions=permissions, priority=priority, color=color)
    if is_default:
        _set_default_role(role)
        role.is_default = True
    try:
        with transaction.atomic():
            role.save()
    except IntegrityError:
        raise Conflict("A role with this name already exists.", field="name", code="unique")
    _invalidate_rbac(community.pk, roles_changed=True)
    _role_event("role.created", role, permissions=role.permissions)
    return role


@transaction.atomic
def role_update(*, actor: CommunityAccess, role: Role, data: dict) -> Role:
    role = Role.objects.select_for_update().get(pk=role.pk)
    if role.priority >= actor.rank:
        raise PermissionDenied("You can only edit roles below your own.", code="hierarchy")
    if "priority" in data and data["priority"] >= actor.rank:
        raise PermissionDenied("You can only move roles below your own.", code="hierarchy")
    if "permissions" in data:
        data["permissions"] = _validate_permissions(data["permissions"])
        _require_can_grant(actor, set(data["permissions"]) ^ set(role.permissions))
    if "name" in data and Role.objects.filter(community_id=role.community_id, name__iexact=data["name"]).exclude(
        pk=role.pk
    ).exists():
        raise Conflict("A role with this name already exists.", field="name", code="unique")
    if data.get("is_default") is False and role.is_default:
        raise Conflict("Make another role the default instead.", field="is_default", code="default_role_required")
    if data.get("is_default"):
        _set_default_role(role)
    changed = sorted(attr for attr, value in data.items() if getattr(role, attr) != value)
    for attr, value in data.items():
        setattr(role, attr, value)
    role.save()
    _invalidate_rbac(role.community_id, roles_changed=True)
    if changed:
        _role_event("role.updated", role, changed=changed)
    return role


@transaction.atomic
def role_delete(*, actor: CommunityAccess, role: Role) -> None:
    """Delete a role; members simply lose it. The default role cannot be deleted."""
    role = Role.objects.select_for_update().get(pk=role.pk)
    if role.is_default:
        raise Conflict("The default role cannot be deleted.", code="default_role")
    if role.priority >= actor.rank:
        raise PermissionDenied("You can only delete roles below your own.", code="hierarchy")
    community_id = role.community_id
    _role_event("role.deleted", role)
    role.delete()
    _invalidate_rbac(community_id, roles_changed=True)


# --- invites --------------------------------------------------------------------------------------------------


def invite_create(
    *, community: Community, created_by: User, expires_in: timedelta | None = None, max_uses: int | None = None
) -> Invite:
    return Invite.objects.create(
        community=community,
        created_by=created_by,
        code=secrets.token_urlsafe(16)[:22],
        expires_at=timezone.now() + expires_in if expires_in else None,
        max_uses=max_uses,
    )


def invite_revoke(*, invite: Invite) -> Invite:
    Invite.objects.filter(pk=invite.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    invite.refresh_from_db()
    return invite


@transaction.atomic
def invite_accept(*, code: str, user: User) -> Member:
    """Join through an invite: skips approval, counts one use. Raises NotFound/Conflict if unusable."""
    invite = Invite.objects.select_for_update().filter(code=code).select_related("community").first()
    if invite is None or invite.community.deleted_at is not None:
        raise NotFound("Invite not found.")
    if invite.revoked_at is not None:
        raise Conflict("This invite was revoked.", code="invite_revoked")
    if invite.expires_at is not None and invite.expires_at <= timezone.now():
        raise Conflict("This invite has expired.", code="invite_expired")
    if invite.max_uses is not None and invite.uses >= invite.max_uses:
        raise Conflict("This invite has been used up.", code="invite_used_up")
    member = member_join(community=invite.community, user=user, via_invite=True)
    Invite.objects.filter(pk=invite.pk).update(uses=F("uses") + 1)
    return member
