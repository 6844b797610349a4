"""Uploaded files are never at a permanent public URL.

Whoever may see a post is handed its media's URLs by the API (the access policy decides:
a private community's or a gated post's files reach only those who may read the post), and
those URLs work for a bounded time, long enough for a page and its images:

- S3 or MinIO (`S3_ENDPOINT`): django-storages signs each URL (`querystring_auth`) for
  `MEDIA_URL_TTL` seconds; the bucket itself is private.
- Local files (the embedded default): `SignedFileSystemStorage.url` adds `expires` and a
  `signature` (HMAC over the name and the expiry, with SECRET_KEY), and `serve` answers
  only a URL it signed that has not expired: the file itself, or, behind nginx
  (`MEDIA_ACCEL_REDIRECT`), an `X-Accel-Redirect` to nginx's internal location so the
  worker does not stream it. Any other request is a 404, as for a file that does not exist.

Expiries are rounded up to a bucket of `MEDIA_URL_TTL` seconds, so a post's URLs stay the
same bytes for a while (cached rendered bodies and ETags keep working) and every URL handed
out is valid for at least `MEDIA_URL_TTL` seconds.
"""

import mimetypes
import time
from urllib.parse import quote, urlencode

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.signing import Signer
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils._os import safe_join
from django.utils.crypto import constant_time_compare
from django.views.decorators.http import require_safe

_signer = Signer(salt="community_service.media")


def _expiry(now: float | None = None) -> int:
    ttl = settings.MEDIA_URL_TTL
    now = time.time() if now is None else now
    return (int(now) // ttl + 2) * ttl  # at least `ttl` seconds ahead


def media_signature(name: str, expires: int) -> str:
    return _signer.signature(f"{name}\n{expires}")


class SignedFileSystemStorage(FileSystemStorage):
    """Local files whose URLs carry an expiry and a signature (see the module)."""

    def url(self, name: str | None) -> str:
        base = super().url(name)
        if not name:
            return base
        expires = _expiry()
        return f"{base}?{urlencode({'expires': expires, 'signature': media_signature(name, expires)})}"


def _verified_name(request: HttpRequest, name: str) -> str:
    try:
        expires = int(request.GET.get("expires", ""))
    except ValueError:
        raise Http404 from None
    if expires < time.time() or not constant_time_compare(media_signature(name, expires),
                                                           request.GET.get("signature", "")):
        raise Http404
    return name


@require_safe
def serve(request: HttpRequest, name: str) -> HttpResponseBase:
    """A signed, unexpired media URL: the file (or nginx's internal redirect to it); else 404."""
    name = _verified_name(request, name)
    try:
        path = safe_join(str(settings.MEDIA_ROOT), name)
    except ValueError:
        raise Http404 from None
    # Shared caches must not keep what the signature grants one reader.
    cache_control = f"private, max-age={max(0, int(request.GET['expires']) - int(time.time()))}"
    response: HttpResponseBase
    if settings.MEDIA_ACCEL_REDIRECT:
        response = HttpResponse(content_type=mimetypes.guess_type(name)[0] or "application/octet-stream")
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_REDIRECT.rstrip("/") + "/" + quote(name)
    else:
        try:
            response = FileResponse(open(path, "rb"))  # noqa: SIM115  # FileResponse closes it
        except (FileNotFoundError, IsADirectoryError):
            raise Http404 from None
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response
