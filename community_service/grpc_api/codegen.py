"""Build the Python code of the gRPC contract from the .proto files, or check it is current.

    python -m community_service.grpc_api.codegen          # make protos: rewrite gen/
    python -m community_service.grpc_api.codegen --check  # make protos-check: exit 1 on drift

The protos live in `protos/` under their conventional paths (`community/v1/posts.proto`,
which is what reflection shows and what other services import). protoc names the Python
modules after those paths (`community.v1.posts_pb2`); their imports are rewritten to the
`community_service.grpc_api.gen` package, so no top-level `community` package is needed.
The generated code is checked in; tests/grpc_api/test_codegen.py fails when it differs
from a fresh build, so the contract and the code cannot drift apart.
"""

import difflib
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROTO_ROOT = HERE / "protos"
GEN_ROOT = HERE / "gen"
GEN_PACKAGE = "community_service.grpc_api.gen"
INIT_TEXT = '"""Generated from community_service/grpc_api/protos by `make protos`. Do not edit."""\n'


def proto_files() -> list[Path]:
    return sorted(PROTO_ROOT.rglob("*.proto"))


def generate(out_dir: Path) -> None:
    """Run protoc (grpcio-tools) over every proto into `out_dir`, with package-relative imports."""
    from grpc_tools import protoc

    well_known = str(resources.files("grpc_tools") / "_proto")
    out_dir.mkdir(parents=True, exist_ok=True)
    args = [
        "grpc_tools.protoc", f"-I{PROTO_ROOT}", f"-I{well_known}",
        f"--python_out={out_dir}", f"--pyi_out={out_dir}", f"--grpc_python_out={out_dir}",
        *[str(path) for path in proto_files()],
    ]  # fmt: skip
    if protoc.main(args) != 0:
        raise SystemExit("protoc failed (see above).")
    packages = {out_dir} | {path.parent for path in out_dir.rglob("*.py*")}
    for package in packages:
        for parent in [package, *package.parents]:
            if parent == out_dir.parent:
                break
            (parent / "__init__.py").write_text(INIT_TEXT)
    for path in out_dir.rglob("*.py*"):
        text = path.read_text()
        for package in {p.relative_to(PROTO_ROOT).parent for p in proto_files()}:
            dotted = ".".join(package.parts)
            text = text.replace(f"from {dotted} import", f"from {GEN_PACKAGE}.{dotted} import")
        path.write_text(text)


def _tree(root: Path) -> dict[str, str]:
    if not root.exists():
        return {}
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def drift() -> list[str]:
    """Unified diffs between the checked-in gen/ and a fresh build (empty: no drift)."""
    with tempfile.TemporaryDirectory() as tmp:
        fresh_root = Path(tmp) / "gen"
        generate(fresh_root)
        fresh, current = _tree(fresh_root), _tree(GEN_ROOT)
    diffs = []
    for name in sorted(set(fresh) | set(current)):
        if fresh.get(name) != current.get(name):
            diffs.append("".join(difflib.unified_diff(
                current.get(name, "").splitlines(keepends=True), fresh.get(name, "").splitlines(keepends=True),
                fromfile=f"gen/{name} (checked in)", tofile=f"gen/{name} (from the protos)",
            )) or f"gen/{name}: missing from one side\n")
    return diffs


def main(argv: list[str]) -> int:
    if "--check" in argv:
        diffs = drift()
        if diffs:
            sys.stdout.write("".join(diffs))
            print("The generated gRPC code is out of date: run `make protos` and commit gen/.", file=sys.stderr)
            return 1
        print("gRPC code is up to date with the protos.")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        fresh_root = Path(tmp) / "gen"
        generate(fresh_root)
        shutil.rmtree(GEN_ROOT, ignore_errors=True)
        shutil.copytree(fresh_root, GEN_ROOT)
    print(f"Generated {GEN_ROOT.relative_to(HERE.parent.parent)} from {len(proto_files())} protos.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
