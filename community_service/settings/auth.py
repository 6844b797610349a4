"""Authentication settings: password rules, JWT lifetimes, login throttling, password reset, email change and mail."""

from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured

from community_service.settings.core import JWT_ALGORITHM, JWT_SECRET_KEY, env

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list("PASSWORD_HASHERS", default=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_TOKEN_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_TOKEN_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "ALGORITHM": JWT_ALGORITHM,
    "SIGNING_KEY": JWT_SECRET_KEY,
    "AUTH_HEADER_TYPES": ("Bearer",),
    # The seed's claim set: sub is the user's UUID.
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_OBTAIN_SERIALIZER": "members.serializers.auth.TokenObtainInputSerializer",
    "TOKEN_REFRESH_SERIALIZER": "members.serializers.auth.TokenRefreshInputSerializer",
}
if SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"] > timedelta(minutes=15):
    raise ImproperlyConfigured("JWT_ACCESS_TOKEN_MINUTES must be at most 15.")


# Failed logins per account (from any address) before that account refuses logins for the
# rest of the window: guessing one password from many addresses gains nothing.
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=300)

# Password reset by email (POST /auth/password-reset): the mail's link is this template, the
# client app's page, given the account's `uid` and a one-use `token` (Django's token generator:
# void once the password changes or the user logs in, or after PASSWORD_RESET_TIMEOUT seconds).
PASSWORD_RESET_URL = env.str("PASSWORD_RESET_URL", default="http://localhost:3000/reset-password?uid={uid}&token={token}")
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=3600)
# At most one reset mail per account per this many seconds, however often it is asked for.
PASSWORD_RESET_MAIL_INTERVAL_SECONDS = env.int("PASSWORD_RESET_MAIL_INTERVAL_SECONDS", default=60)
# Email change (POST /auth/email): the link mailed to the new address is this template, the
# client app's page, given a signed `token` valid EMAIL_CHANGE_TIMEOUT seconds; at most one
# such mail per account per EMAIL_CHANGE_MAIL_INTERVAL_SECONDS.
EMAIL_CHANGE_URL = env.str("EMAIL_CHANGE_URL", default="http://localhost:3000/confirm-email?token={token}")
EMAIL_CHANGE_TIMEOUT = env.int("EMAIL_CHANGE_TIMEOUT", default=86400)
EMAIL_CHANGE_MAIL_INTERVAL_SECONDS = env.int("EMAIL_CHANGE_MAIL_INTERVAL_SECONDS", default=60)
# Outgoing mail: smtp+tls://user:password@host:587 in production; the console by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Community Service <no-reply@localhost>")
