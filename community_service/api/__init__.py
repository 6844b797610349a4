"""HTTP layer room: what every app's REST endpoints share.

Owns the request middleware (middleware.py: request id, timing, one log line per request),
the JSON error body under /api/ (errors.py) and the exception handler that turns the domain
errors of community_service.exceptions into it (exception_handler.py), pagination,
throttling, Idempotency-Key, the OpenAPI schema hooks, parsers, shared fields, filters and
viewsets, rendered-response caching (rendered.py, caching.py) and the API index. The
domain errors themselves stay at the package top (community_service/exceptions.py): they are
the one vocabulary that services, the HTTP layer and the gRPC layer all speak.
"""
