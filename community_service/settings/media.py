"""Media settings: uploads (S3-compatible or local files, signed URLs) and static files."""

from typing import Any

from community_service.settings.core import BASE_DIR, DEBUG, env

# Largest attachment accepted (bytes); larger uploads get a 413.
MEDIA_MAX_UPLOAD_BYTES = env.int("MEDIA_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
# Uploads above this size stream to a temporary file instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Form and multipart bodies without their files (files are capped by MEDIA_MAX_UPLOAD_BYTES).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
S3_ENDPOINT = env.str("S3_ENDPOINT", default="")
S3_ACCESS_KEY = env.str("S3_ACCESS_KEY", default="")
S3_SECRET_KEY = env.str("S3_SECRET_KEY", default="")
S3_BUCKET = env.str("S3_BUCKET", default="community-media")
S3_REGION = env.str("S3_REGION", default="us-east-1")
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Media URLs are signed and expire (community_service/media.py): never a permanent public URL.
MEDIA_URL_TTL = env.int("MEDIA_URL_TTL", default=3600)
# Behind nginx: the internal location that serves MEDIA_ROOT (deploy/nginx.conf); empty: the app streams files.
MEDIA_ACCEL_REDIRECT = env.str("MEDIA_ACCEL_REDIRECT", default="")
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "community_service.media.SignedFileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
if S3_ENDPOINT:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "endpoint_url": S3_ENDPOINT,
            "access_key": S3_ACCESS_KEY,
            "secret_key": S3_SECRET_KEY,
            "bucket_name": S3_BUCKET,
            "region_name": S3_REGION,
            "file_overwrite": False,
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_TTL,
        },
    }
