"""A client generated from the schema (openapi-python-client) works against a live server:
register → create a community → post → comment, with no hand-written HTTP."""

import importlib
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = "community_client"


@pytest.fixture
def generated_client(tmp_path: Path, client) -> object:
    schema = tmp_path / "schema.json"
    schema.write_bytes(client.get("/api/schema/", HTTP_ACCEPT="application/json").content)
    config = tmp_path / "config.yaml"
    config.write_text(f"post_hooks: []\npackage_name_override: {PACKAGE}\n")
    generator = Path(sys.executable).parent / "openapi-python-client"
    result = subprocess.run(
        [str(generator), "generate", "--path", str(schema), "--meta", "none", "--output-path",
         str(tmp_path / PACKAGE), "--config", str(config)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    # The generator warns about every part of the schema it could not turn into code.
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_register_create_a_community_post_and_comment_through_the_generated_client(generated_client, live_server):
    models = importlib.import_module(f"{PACKAGE}.models")
    register = importlib.import_module(f"{PACKAGE}.api.auth.auth_register_create")
    create_community = importlib.import_module(f"{PACKAGE}.api.communities.communities_create")
    create_post = importlib.import_module(f"{PACKAGE}.api.posts.communities_posts_create")
    create_comment = importlib.import_module(f"{PACKAGE}.api.comments.posts_comments_create")
    list_comments = importlib.import_module(f"{PACKAGE}.api.comments.posts_comments_list")

    anonymous = generated_client.Client(base_url=live_server.url, raise_on_unexpected_status=True)
    account = register.sync_detailed(client=anonymous, body=models.RegisterInputRequest(
        email="generated@example.com", username="generated", password="a-long-enough-passphrase"))
    assert account.status_code == 201, account.content
    me = generated_client.AuthenticatedClient(base_url=live_server.url, token=account.parsed.access,
                                              raise_on_unexpected_status=True)

    community = create_community.sync_detailed(client=me, body=models.CommunityInputRequest(name="Generated"))
    assert community.status_code == 201, community.content
    assert community.parsed.owner_id == account.parsed.user.id

    post = create_post.sync_detailed(community_pk=str(community.parsed.id), client=me,
                                     body=models.PostInputRequest(title="Hello", content="From a generated client"))
    assert post.status_code == 201, post.content
    assert post.parsed.status == models.PostStatusEnum.PUBLISHED

    comment = create_comment.sync_detailed(post_id=post.parsed.id, client=me,
                                           body=models.CommentInputRequest(content="First!"))
    assert comment.status_code == 201, comment.content
    assert comment.parsed.post_id == post.parsed.id

    threads = list_comments.sync_detailed(post_id=post.parsed.id, client=me)
    assert threads.status_code == 200, threads.content
    assert [item.content for item in threads.parsed.items] == ["First!"]
