"""Generated from community_service/grpc_api/protos by `make protos`. Do not edit."""
