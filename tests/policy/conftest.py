"""The gRPC server and client of tests/grpc_api, for the matrix that asks every door."""

from tests.grpc_api.conftest import grpc_client, grpc_server

__all__ = ["grpc_client", "grpc_server"]
