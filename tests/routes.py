"""Routes by name: `url_for` for a test's request, and the API's routes as (url name, METHOD)
pairs for tests that must cover every endpoint."""

from django.urls import URLPattern, URLResolver, get_resolver, reverse

HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def url_for(name: str, **kwargs: object) -> str:
    """The path of the route named `name` (django's `reverse`), its path arguments as keywords:
    `url_for("post-detail", post_id=post.pk)`. Tests name routes, so a moved path moves with them."""
    return reverse(name, kwargs={key: str(value) for key, value in kwargs.items()} or None)


def api_endpoints(*, view_modules: tuple[str, ...], exclude: tuple[str, ...] = ()) -> set[tuple[str, str]]:
    """Every named route whose view lives in one of `view_modules` (module prefixes).

    HEAD mirrors GET and OPTIONS is not part of the API, so neither needs a row.
    """
    found: set[tuple[str, str]] = set()

    def walk(patterns: list) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace != "admin":  # the console is not the API
                    walk(entry.url_patterns)
                continue
            module = getattr(entry.callback, "__module__", "")
            if not isinstance(entry, URLPattern) or not entry.name or not module.startswith(view_modules):
                continue
            # The console is not the API: its views carry their model admin or site (the admin's
            # wrappers), wherever their code lives (members.console's ServiceWritesAdmin).
            console = any(hasattr(entry.callback, name) for name in ("model_admin", "admin_site"))
            if module.startswith(exclude) or console or module.endswith(".admin"):
                continue
            callback = entry.callback
            if hasattr(callback, "actions"):
                methods = list(callback.actions)
            else:
                methods = [m for m in HTTP_METHODS if hasattr(callback.view_class, m)]
            found.update((entry.name, method.upper()) for method in methods if method in HTTP_METHODS)

    walk(get_resolver().url_patterns)
    return found
