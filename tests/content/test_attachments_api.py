"""Media: sniffed types, size limit, unguessable keys, local files and a real S3 endpoint (moto_server)."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import Attachment
from tests.conftest import client_for
from tests.factories import CommunityFactory, UserFactory, member_add

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def upload(api, community, content: bytes = PNG, name: str = "cat.png", content_type: str = "image/png"):
    return api.post(f"/api/v1/communities/{community.pk}/attachments",
                    {"file": SimpleUploadedFile(name, content, content_type=content_type)}, format="multipart")


@pytest.fixture
def local_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    return tmp_path


def test_upload_is_stored_locally_under_an_unguessable_key(local_media):
    community = CommunityFactory()
    response = upload(client_for(community.owner), community)
    assert response.status_code == 201
    attachment = Attachment.objects.get(pk=response.data["id"])
    key = attachment.file.name
    assert key.startswith(f"communities/{community.pk}/") and key.endswith(".png") and "cat" not in key
    assert len(key.split("/")[2]) == 32  # a random uuid hex directory
    assert (local_media / key).read_bytes() == PNG
    assert (response.data["content_type"], response.data["size"], response.data["original_name"]) == (
        "image/png", len(PNG), "cat.png")
    assert response.data["url"].endswith(key)


def test_type_is_sniffed_not_taken_from_the_client(local_media):
    community = CommunityFactory()
    api = client_for(community.owner)
    disguised = upload(api, community, content=b"MZ\x90\x00 not an image", name="evil.png")
    assert (disguised.status_code, disguised.data["code"]) == (400, "unsupported_type")
    assert "file" in disguised.data
    pdf = upload(api, community, content=PDF, name="doc.bin", content_type="application/octet-stream")
    assert (pdf.status_code, pdf.data["content_type"]) == (201, "application/pdf")


def test_too_large_is_413_and_missing_file_is_400(local_media, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 50
    community = CommunityFactory()
    api = client_for(community.owner)
    response = upload(api, community)
    assert (response.status_code, response.data["code"]) == (413, "file_too_large")
    missing = api.post(f"/api/v1/communities/{community.pk}/attachments", {}, format="multipart")
    assert (missing.status_code, "file" in missing.data) == (400, True)
    assert not Attachment.objects.exists()


def test_only_unmuted_members_upload(local_media):
    community = CommunityFactory()
    assert upload(client_for(UserFactory()), community).status_code == 403
    from datetime import timedelta

    from django.utils import timezone

    muted = member_add(community, muted_until=timezone.now() + timedelta(hours=1))
    assert upload(client_for(muted), community).status_code == 403


def test_a_post_claims_attachments_and_shows_their_urls(local_media):
    community = CommunityFactory()
    author = member_add(community)
    api = client_for(author)
    attachment = upload(api, community).data
    post = api.post(f"/api/v1/communities/{community.pk}/posts",
                    {"title": "Look", "content": "A cat", "attachment_ids": [attachment["id"]]}, format="json")
    assert post.status_code == 201
    assert post.data["media_urls"] == [attachment["url"]]
    reused = api.post(f"/api/v1/communities/{community.pk}/posts",
                      {"title": "Again", "content": "x", "attachment_ids": [attachment["id"]]}, format="json")
    assert (reused.status_code, "attachment_ids" in reused.data) == (400, True)
    someone_elses = upload(client_for(community.owner), community).data
    stolen = api.post(f"/api/v1/communities/{community.pk}/posts",
                      {"title": "Mine", "content": "x", "attachment_ids": [someone_elses["id"]]}, format="json")
    assert stolen.status_code == 400
    assert api.delete(f"/api/v1/attachments/{attachment['id']}").data["code"] == "attached"


def test_uploader_deletes_an_unused_attachment_and_its_file(local_media, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    api = client_for(community.owner)
    attachment = upload(api, community).data
    key = Attachment.objects.get(pk=attachment["id"]).file.name
    assert client_for(member_add(community)).delete(f"/api/v1/attachments/{attachment['id']}").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/attachments/{attachment['id']}").status_code == 204
    assert not (local_media / key).exists()
    assert api.get(f"/api/v1/attachments/{attachment['id']}").status_code == 404


def test_attachments_of_a_private_community_are_hidden_from_outsiders(local_media):
    community = CommunityFactory(community_type="private")
    attachment = upload(client_for(community.owner), community).data
    assert client_for(UserFactory()).get(f"/api/v1/attachments/{attachment['id']}").status_code == 404
    assert client_for(community.owner).get(f"/api/v1/attachments/{attachment['id']}").status_code == 200


# --- a real S3-compatible endpoint ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a loopback port, for the whole session."""
    port = _free_port()
    server_bin = shutil.which("moto_server", path=str(Path(sys.executable).parent))
    process = subprocess.Popen([server_bin, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


def test_upload_to_a_real_s3_endpoint(s3_endpoint, settings):
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **credentials)
    s3.create_bucket(Bucket="community-media-test")
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"endpoint_url": s3_endpoint, "access_key": "testing", "secret_key": "testing",
                    "bucket_name": "community-media-test", "region_name": "us-east-1", "file_overwrite": False,
                    "querystring_auth": True},
    }}
    community = CommunityFactory()
    response = upload(client_for(community.owner), community, content=PDF, name="report.pdf")
    assert response.status_code == 201
    key = Attachment.objects.get(pk=response.data["id"]).file.name
    stored = s3.get_object(Bucket="community-media-test", Key=key)
    assert stored["Body"].read() == PDF
    assert "X-Amz-Signature" in response.data["url"] or "Signature=" in response.data["url"]
    with urllib.request.urlopen(response.data["url"], timeout=5) as signed:
        assert signed.read() == PDF
