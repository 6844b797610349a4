"""Serve the internal gRPC API until SIGTERM or Ctrl-C, then stop gracefully."""

import logging
import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from community_service.grpc_api.credentials import CredentialsFileError, CredentialStore
from community_service.grpc_api.server import GrpcServer
from community_service.observability.metrics import serve_grpc_metrics

logger = logging.getLogger("community_service.grpc")


class Command(BaseCommand):
    help = "Serve PostService, CommunityService, health and reflection over gRPC (GRPC_HOST:GRPC_PORT)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=settings.GRPC_HOST, help="Address to listen on (default GRPC_HOST).")
        parser.add_argument("--port", type=int, default=settings.GRPC_PORT, help="0 picks a free port.")
        parser.add_argument("--workers", type=int, default=settings.GRPC_WORKERS, help="Worker threads.")

    def handle(self, *args: Any, host: str, port: int, workers: int, **options: Any) -> None:
        if not settings.GRPC_CREDENTIALS_FILE:
            raise CommandError("GRPC_CREDENTIALS_FILE must name the callers' credentials file "
                               "(manage.py grpc_credential add makes one).")
        credentials = CredentialStore(settings.GRPC_CREDENTIALS_FILE)
        try:
            credentials.load()
        except CredentialsFileError as exc:
            raise CommandError(f"GRPC_CREDENTIALS_FILE: {exc}") from None
        server = GrpcServer(address=f"{host}:{port}", credentials=credentials, workers=workers)
        serve_grpc_metrics()
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        server.start()
        logger.info("grpc serving", extra={"address": f"{host}:{server.port}", "workers": workers,
                                           "services": server.service_names})
        self.stdout.write(f"gRPC serving on {host}:{server.port} ({', '.join(server.service_names)})")
        self.stdout.flush()
        while not stopping.wait(0.5):
            pass
        logger.info("grpc stopping", extra={"grace_seconds": settings.GRPC_GRACE_SECONDS})
        server.stop()
        self.stdout.write("gRPC server stopped.")
