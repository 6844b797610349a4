"""Internal gRPC API settings (manage.py grpcserver; docs/api.md, "gRPC")."""

from community_service.settings.core import env

GRPC_HOST = env.str("GRPC_HOST", default="[::]")
GRPC_PORT = env.int("GRPC_PORT", default=50051)
GRPC_WORKERS = env.int("GRPC_WORKERS", default=10)  # threads, each with its own DB connection
GRPC_MAX_CONCURRENT_RPCS = env.int("GRPC_MAX_CONCURRENT_RPCS", default=100)  # beyond: RESOURCE_EXHAUSTED
GRPC_GRACE_SECONDS = env.float("GRPC_GRACE_SECONDS", default=10.0)  # calls in flight may finish on SIGTERM
# The calling services' credentials (community_service/grpc_api/credentials.py: a JSON file of
# names, secret digests, granted methods, acting for users or not), re-read when it changes;
# grpcserver refuses to start without a readable one. `manage.py grpc_credential` makes entries.
GRPC_CREDENTIALS_FILE = env.str("GRPC_CREDENTIALS_FILE", default="")
# Checks a member's API key presented over gRPC (members' code, named so the platform imports no app).
GRPC_KEY_AUTHENTICATOR = "members.grpc_api.caller.key_identity"
# Servicers, by dotted path to `register(server) -> service name` (as URLconfs are included).
GRPC_SERVICES = [
    "content.grpc_api.posts.register",
    "content.grpc_api.communities.register",
]
