"""Internal gRPC API settings (manage.py grpcserver; docs/api.md, "gRPC")."""

from community_service.settings.core import env

GRPC_HOST = env.str("GRPC_HOST", default="[::]")
GRPC_PORT = env.int("GRPC_PORT", default=50051)
GRPC_WORKERS = env.int("GRPC_WORKERS", default=10)  # threads, each with its own DB connection
GRPC_MAX_CONCURRENT_RPCS = env.int("GRPC_MAX_CONCURRENT_RPCS", default=100)  # beyond: RESOURCE_EXHAUSTED
GRPC_GRACE_SECONDS = env.float("GRPC_GRACE_SECONDS", default=10.0)  # calls in flight may finish on SIGTERM
# Internal callers send `authorization: Bearer <token>`; grpcserver refuses to start without one.
GRPC_SERVICE_TOKEN = env.str("GRPC_SERVICE_TOKEN", default="")
# Servicers, by dotted path to `register(server) -> service name` (as URLconfs are included).
GRPC_SERVICES = [
    "content.grpc_api.posts.register",
    "content.grpc_api.communities.register",
]
