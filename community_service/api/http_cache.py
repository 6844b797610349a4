"""What a shared HTTP cache (the shipped nginx, a CDN) may keep of an answer, and for how long.

One rule, applied to every response by SharedCacheMiddleware (first in settings.MIDDLEWARE,
so it also sees the pre-DRF fast path's answers and the JSON error bodies):

- **shareable**: the view said its answer is what every anonymous caller gets and holds
  nothing private, gated or personal (`share_with_anonymous`, called by the views only when
  `members.policy.anonymous_shares` agrees), *and* the request is a GET or HEAD carrying no
  credentials (no Authorization, no Cookie: the headers that could make the caller someone),
  *and* the answer is a 200 or 304 →
  `Cache-Control: public, max-age=0, s-maxage=HTTP_CACHE_SHARED_SECONDS,
  stale-while-revalidate=HTTP_CACHE_STALE_SECONDS` with an ETag (the view's, or a hash of the
  body; a matching If-None-Match answers 304, which is how nginx revalidates). `max-age=0`:
  a browser revalidates every time; only shared caches keep it, for a few seconds.
- **every other read** (a signed-in caller's, a private or gated object's, a personal list,
  a refusal) → `Cache-Control: private, no-cache`: the caller's own client may keep it and
  revalidate with the ETag; no shared cache may store it.
- **writes and errors** → `Cache-Control: no-store`.

Every response says `Vary: Authorization, Cookie` (who asks changes the answer), beside
DRF's `Vary: Accept`. A response whose view set its own Cache-Control keeps it (signed media
URLs: `private, max-age=…`; WhiteNoise's static files). Docs: docs/operations.md, "HTTP cache".
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase, HttpResponseNotModified
from django.utils.cache import set_response_etag

from community_service.api.rendered import not_modified

SHAREABLE_ATTRIBUTE = "shareable_with_anonymous"
SAFE_METHODS = frozenset({"GET", "HEAD"})
CREDENTIAL_HEADERS = ("HTTP_AUTHORIZATION", "HTTP_COOKIE")


def share_with_anonymous(request: object) -> None:
    """Mark the answer being made as the same for every anonymous caller, holding nothing
    private, gated or personal. Only the views call this, once the policy said so; the
    middleware still shares it only with callers who bring no credentials."""
    setattr(getattr(request, "_request", request), SHAREABLE_ATTRIBUTE, True)  # DRF's Request wraps Django's


def anonymous_request(request: HttpRequest) -> bool:
    """No credentials of any kind: whatever the view answers, it answered to nobody in particular."""
    return not any(request.META.get(header) for header in CREDENTIAL_HEADERS)


def shareable(request: HttpRequest, response: HttpResponseBase) -> bool:
    return (getattr(request, SHAREABLE_ATTRIBUTE, False) and request.method in SAFE_METHODS
            and response.status_code in (200, 304) and anonymous_request(request)
            and not response.has_header("Set-Cookie") and not response.cookies)


def shared_cache_control() -> str:
    return (f"public, max-age=0, s-maxage={settings.HTTP_CACHE_SHARED_SECONDS}, "
            f"stale-while-revalidate={settings.HTTP_CACHE_STALE_SECONDS}")


class SharedCacheMiddleware:
    """See the module docstring."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        _vary_on_credentials(response)
        if shareable(request, response):
            if response.status_code == 200 and not response.has_header("ETag") and not response.streaming:
                set_response_etag(response)
                if not_modified(request, response["ETag"]):
                    response = _not_modified_from(response)
            response["Cache-Control"] = shared_cache_control()
        elif not response.has_header("Cache-Control") or "public" in response["Cache-Control"] \
                and not request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            # A public Cache-Control from anywhere but the static files is downgraded too:
            # only this middleware decides what a shared cache keeps.
            readable = request.method in SAFE_METHODS and (response.status_code < 300 or response.status_code == 304)
            response["Cache-Control"] = "private, no-cache" if readable else "no-store"
        return response


def _vary_on_credentials(response: HttpResponseBase) -> None:
    """django.utils.cache.patch_vary_headers for these two names, without its regex and set
    work: this runs on every response, the pre-DRF fast path's hits included."""
    vary = response.headers.get("Vary")
    if not vary:
        response.headers["Vary"] = "Authorization, Cookie"
        return
    present = {name.strip().lower() for name in vary.split(",")}
    missing = [name for name in ("Authorization", "Cookie") if name.lower() not in present]
    if "*" not in present and missing:
        response.headers["Vary"] = ", ".join([vary, *missing])


def _not_modified_from(response: HttpResponseBase) -> HttpResponseBase:
    """A 304 with the 200's validators and varying headers (RFC 9110 15.4.5)."""
    answer = HttpResponseNotModified()
    for header in ("ETag", "Vary", "Content-Location", "Date", "Expires"):
        if response.has_header(header):
            answer[header] = response[header]
    return answer
