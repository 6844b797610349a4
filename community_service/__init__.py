"""The platform under every app, in rooms: settings/, observability/, db/, cache/, api/,
search/, outbox/, grpc_api/, contracts/ (each __init__.py says what it owns), the domain
errors (exceptions.py), media.py, and devtools/, which nothing the service runs imports.
docs/architecture.md ("Platform pieces") draws them; .importlinter layers them."""

# Load the Celery app whenever Django starts so @shared_task binds to it.
from community_service.celery import app as celery_app

__all__ = ("celery_app",)
