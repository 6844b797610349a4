"""The checked-in gRPC code is what the protos generate (`make protos` after editing a proto)."""

from community_service.grpc_api.codegen import drift


def test_the_generated_code_matches_the_protos():
    diffs = drift()
    assert diffs == [], "Run `make protos` and commit community_service/grpc_api/gen/:\n" + "".join(diffs)[:3000]
