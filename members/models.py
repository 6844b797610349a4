import uuid

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class User(AbstractUser):
    """A platform account. Communities see it through Member rows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField("email address", unique=True)

    objects = UserManager()

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
