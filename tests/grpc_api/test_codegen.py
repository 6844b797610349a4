"""The checked-in gRPC code is what the protos generate (`make protos` after editing a proto)."""

from community_service.grpc_api.codegen import drift


def test_the_generated_code_matches_the_protos():
    diffs = drift()
    assert diffs == [], "Run `make protos` and commit community_service/grpc_api/gen/:\n" + "".join(diffs)[:3000]


def test_the_api_doc_names_every_rpc_and_request_field():
    from pathlib import Path

    from community_service.grpc_api.gen.community.v1 import communities_pb2, posts_pb2

    doc = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text().split("## gRPC (internal)", 1)[1]
    for module in (posts_pb2, communities_pb2):
        for service in module.DESCRIPTOR.services_by_name.values():
            assert f"### {service.name}" in doc
            for method in service.methods:
                assert f"`{method.name}(" in doc, method.name
                fields = [field.name for field in method.input_type.fields]
                row = next(line for line in doc.splitlines() if f"`{method.name}(" in line)
                assert all(name in row for name in fields), (method.name, fields)
