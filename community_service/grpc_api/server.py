"""The gRPC server: our services from settings.GRPC_SERVICES, plus grpc.health.v1 and reflection.

Each entry of GRPC_SERVICES is the dotted path of a `register(server) -> str` function
that adds one servicer and returns the full service name (for health and reflection).
"""

from concurrent import futures

import grpc
from django.conf import settings
from django.utils.module_loading import import_string
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection

from community_service.grpc_api.credentials import CredentialStore
from community_service.grpc_api.interceptors import CallInterceptor


class GrpcServer:
    """A started-on-demand gRPC server bound to `address` (port 0: any free port, see `.port`)."""

    def __init__(
        self, *, address: str, credentials: CredentialStore | None = None, workers: int | None = None,
        max_concurrent_rpcs: int | None = None, services: list[str] | None = None,
    ) -> None:
        workers = workers or settings.GRPC_WORKERS
        self.server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grpc"),
            interceptors=[CallInterceptor(credentials=credentials)],
            # Beyond this many calls in flight, new ones get RESOURCE_EXHAUSTED at once
            # instead of queueing behind the worker threads.
            maximum_concurrent_rpcs=max_concurrent_rpcs or settings.GRPC_MAX_CONCURRENT_RPCS,
            # A port already in use is an error, not a second server silently sharing it.
            options=[("grpc.so_reuseport", 0)],
        )
        self.service_names = [import_string(path)(self.server) for path in services or settings.GRPC_SERVICES]
        self.health = health.HealthServicer(
            experimental_non_blocking=True,
            experimental_thread_pool=futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="grpc-health"),
        )
        health_pb2_grpc.add_HealthServicer_to_server(self.health, self.server)
        reflection.enable_server_reflection(
            [*self.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self.server
        )
        self.port = self.server.add_insecure_port(address)
        if not self.port:
            raise OSError(f"Cannot listen on {address}.")

    def start(self) -> None:
        self.server.start()
        for name in ["", *self.service_names]:
            self.health.set(name, health_pb2.HealthCheckResponse.SERVING)

    def stop(self, grace: float | None = None) -> None:
        """Graceful stop: health says NOT_SERVING, new calls are refused, calls in flight
        get `grace` seconds to finish, then the rest are cancelled."""
        self.health.enter_graceful_shutdown()
        grace = settings.GRPC_GRACE_SECONDS if grace is None else grace
        self.server.stop(grace).wait()
