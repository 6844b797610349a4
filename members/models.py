import uuid
from typing import ClassVar, Self

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A platform account. Communities see it through Member rows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", unique=True)
    # Every token carries the generation it was minted under (members.tokens); bumping it ends
    # every session at once, access tokens included (password change or reset, log out everywhere).
    token_generation = models.PositiveIntegerField(default=0, editable=False)
    # A bot account (members.services.bots): made by a community's webhook.manage holders, it
    # signs in only with API keys, and posts, member lists and the audit log say it is a bot.
    is_bot = models.BooleanField(default=False, editable=False)
    bot_community = models.ForeignKey("communities.Community", null=True, blank=True, editable=False,
                                      on_delete=models.SET_NULL, related_name="bots")
    # IANA name (members.services.auth.user_set_time_zone checks it): the daily digest mail
    # arrives at NOTIFICATIONS_DIGEST_HOUR of this zone. A database default too, so the previous
    # release can keep inserting users during a rolling deploy.
    time_zone = models.CharField(max_length=64, default="UTC", db_default="UTC")

    objects: ClassVar[UserManager[Self]] = UserManager()

    # Log in with the email; username is the public handle.
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    class Meta:
        constraints = [
            # Emails and handles are unique regardless of case (Bob@x.io == bob@x.io).
            models.UniqueConstraint(Lower("email"), name="uq_user_email_ci"),
            models.UniqueConstraint(Lower("username"), name="uq_user_username_ci"),
        ]

    def __str__(self) -> str:
        return self.username


class MemberStatus(models.TextChoices):
    PENDING = "pending", "Pending approval"
    ACTIVE = "active", "Active"
    LEFT = "left", "Left"
    KICKED = "kicked", "Kicked"
    REJECTED = "rejected", "Join request rejected"
    BANNED = "banned", "Banned"


class Role(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Indexed by idx_roles_community_priority, which it leads.
    community = models.ForeignKey(
        "communities.Community", db_index=False, on_delete=models.CASCADE, related_name="roles"
    )
    name = models.CharField(max_length=100)
    # Codes from members.catalogue.Permission; validated by the services.
    permissions = ArrayField(models.CharField(max_length=64), default=list, blank=True)
    is_default = models.BooleanField(default=False)
    # Higher outranks lower (Discord's role position). The owner outranks every role.
    priority = models.PositiveIntegerField(default=0)
    color = models.CharField(max_length=7, blank=True, default="", validators=[RegexValidator(r"^#[0-9A-Fa-f]{6}$")])
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-priority", "name"]
        constraints = [
            models.UniqueConstraint("community", Lower("name"), name="uq_role_community_name_ci"),
            models.UniqueConstraint(
                fields=["community"], condition=models.Q(is_default=True), name="uq_role_one_default_per_community"
            ),
        ]
        indexes = [models.Index(fields=["community", "-priority"], name="idx_roles_community_priority")]

    def __str__(self) -> str:
        return self.name


class Member(models.Model):
    """One user's standing in one community. The row outlives leaving (churn analytics)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of their own: (community, user) is unique, idx_members_user is the user's.
    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="members",
                                  db_index=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    status = models.CharField(max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE)
    is_owner = models.BooleanField(default=False)
    nickname = models.CharField(max_length=64, blank=True, default="")
    roles = models.ManyToManyField(Role, related_name="members", blank=True)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    banned_until = models.DateTimeField(null=True, blank=True, help_text="Empty with status banned: permanent.")
    ban_reason = models.CharField(max_length=500, blank=True, default="")
    muted_until = models.DateTimeField(null=True, blank=True)
    join_message = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="uq_member_community_user"),
            models.UniqueConstraint(
                fields=["community"], condition=models.Q(is_owner=True), name="uq_member_one_owner_per_community"
            ),
            models.CheckConstraint(condition=models.Q(status__in=MemberStatus.values), name="ck_member_status"),
        ]
        indexes = [
            # The members list's order within a community and status (members/selectors): a page is
            # read off the index, no sort; its (community, status) prefix serves the other lookups.
            models.Index(fields=["community", "status", "-is_owner", "joined_at", "id"], name="idx_members_list_order"),
            models.Index(fields=["user"], name="idx_members_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.community}"


class EmailViewPage(models.TextChoices):
    USER_PAGE = "user_page", "user's page"
    USER_LIST = "user_list", "users list"


class EmailView(models.Model):
    """A superuser saw a member's email address in the console: who looked, at whose, where, when.

    Platform-wide rather than a community's audit row: an account belongs to no one community."""

    id = models.BigAutoField(primary_key=True)
    viewer = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    # Indexed by idx_email_view_subject, which it leads.
    subject = models.ForeignKey(User, db_index=False, on_delete=models.CASCADE, related_name="+")
    page = models.CharField(max_length=20, choices=EmailViewPage.choices)
    viewed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "email address view"
        ordering = ["-viewed_at", "-id"]
        indexes = [models.Index(fields=["subject", "-viewed_at"], name="idx_email_view_subject")]

    def __str__(self) -> str:
        viewer = self.viewer or "a deleted account"
        return f"{viewer} saw {self.subject}'s email address on the {self.get_page_display()}"


class ApiKey(models.Model):
    """A personal API key (members.services.api_keys): the secret is shown once and only its
    SHA-256 is kept (a random 256-bit secret needs no slow hash); `prefix` is what lists show."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_keys", db_index=False)
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=24)
    digest = models.CharField(max_length=64, unique=True)
    # Codes from members.catalogue.KeyScope; validated by the service.
    scopes = ArrayField(models.CharField(max_length=16), default=list)
    # Empty: every community the owner is in; else only these.
    community_ids = ArrayField(models.UUIDField(), default=list, blank=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="idx_api_keys_user")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
