"""Media: sniffed types, size limit, unguessable keys, local files and a real S3 endpoint (moto_server)."""

# Why this is long: one test per upload behaviour (types, sizes, signed URLs, storage backends) over HTTP.

import re
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import timedelta

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from community_service.exceptions import Conflict, DomainError
from content.models import Attachment, Post
from content.services.attachments import attachments_claim
from tests.concurrency import run_concurrently
from tests.conftest import client_for
from tests.factories import AttachmentFactory, CommunityFactory, PostFactory, UserFactory, member_add
from tests.routes import url_for

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
# The first bytes of each accepted type.
SAMPLES = {
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "image/png": PNG,
    "image/gif": b"GIF89a" + b"\x00" * 32,
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    "video/mp4": b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32,
    "application/pdf": PDF,
}
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp", "video/mp4": "mp4",
              "application/pdf": "pdf"}
# communities/<community id>/<uuid4 hex>/<uuid4 hex>.<ext>
KEY = re.compile(r"^communities/(?P<community>[0-9a-f-]{36})/[0-9a-f]{32}/[0-9a-f]{32}\.(?P<ext>[a-z0-9]+)$")


def upload(api, community, content: bytes = PNG, name: str = "cat.png", content_type: str = "image/png"):
    return api.post(url_for("attachment-upload", community_pk=community.pk),
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


@pytest.mark.parametrize("content_type", list(SAMPLES))
def test_every_allowed_type_is_recognised_by_its_first_bytes(local_media, content_type):
    community = CommunityFactory()
    # The client claims nothing useful: the type comes from the bytes alone.
    response = upload(client_for(community.owner), community, content=SAMPLES[content_type], name="upload",
                      content_type="application/octet-stream")
    assert (response.status_code, response.data["content_type"]) == (201, content_type)
    key = KEY.match(Attachment.objects.get(pk=response.data["id"]).file.name)
    assert (key["community"], key["ext"]) == (str(community.pk), EXTENSIONS[content_type])


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
    missing = api.post(url_for("attachment-upload", community_pk=community.pk), {}, format="multipart")
    assert (missing.status_code, "file" in missing.data) == (400, True)
    assert not Attachment.objects.exists()


def test_an_oversized_body_is_refused_from_its_content_length_before_parsing(local_media, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 1024
    community = CommunityFactory()
    # Not even valid multipart: parsing it would be a 400, so a 413 proves it was never parsed.
    response = client_for(community.owner).generic(
        "POST", url_for("attachment-upload", community_pk=community.pk), b"x" * 200_000,
        content_type="multipart/form-data; boundary=nothing")
    assert (response.status_code, response.data["code"]) == (413, "file_too_large")
    assert "1024 bytes" in response.data["detail"]


def test_an_empty_file_is_400_naming_file(local_media):
    community = CommunityFactory()
    response = upload(client_for(community.owner), community, content=b"")
    assert (response.status_code, "file" in response.data) == (400, True)


def test_only_unmuted_members_upload(local_media):
    community = CommunityFactory()
    assert upload(client_for(UserFactory()), community).status_code == 403
    muted = member_add(community, muted_until=timezone.now() + timedelta(hours=1))
    assert upload(client_for(muted), community).status_code == 403


def test_a_post_claims_attachments_and_shows_their_urls(local_media):
    community = CommunityFactory()
    author = member_add(community)
    api = client_for(author)
    attachment = upload(api, community).data
    post = api.post(url_for("post-list", community_pk=community.pk),
                    {"title": "Look", "content": "A cat", "attachment_ids": [attachment["id"]]}, format="json")
    assert post.status_code == 201
    assert post.data["media_urls"] == [attachment["url"]]
    reused = api.post(url_for("post-list", community_pk=community.pk),
                      {"title": "Again", "content": "x", "attachment_ids": [attachment["id"]]}, format="json")
    assert (reused.status_code, reused.data["code"], "attachment_ids" in reused.data) == (409, "attached", True)
    someone_elses = upload(client_for(community.owner), community).data
    stolen = api.post(url_for("post-list", community_pk=community.pk),
                      {"title": "Mine", "content": "x", "attachment_ids": [someone_elses["id"]]}, format="json")
    assert (stolen.status_code, "attachment_ids" in stolen.data) == (400, True)  # someone else's is unknown to you
    assert api.delete(url_for("attachment-detail", attachment_id=attachment["id"])).data["code"] == "attached"


def _stored(community, uploader, post: Post | None = None) -> Attachment:
    return AttachmentFactory(community=community, uploader=uploader, post=post)


def test_claim_attaches_the_uploaders_free_attachments_to_the_post(local_media):
    community = CommunityFactory()
    post = PostFactory(community=community)
    mine = [_stored(community, community.owner) for _ in range(2)]
    with transaction.atomic():
        claimed = attachments_claim(community=community, uploader=community.owner,
                                    attachment_ids=[str(a.pk) for a in mine] + [mine[0].pk], post=post)
    assert sorted(a.pk for a in claimed) == sorted(a.pk for a in mine)
    assert all(a.post_id == post.pk for a in claimed)
    assert set(post.attachments.values_list("pk", flat=True)) == {a.pk for a in mine}


@pytest.mark.parametrize("whose", ["another_community", "another_uploader", "already_attached", "unknown",
                                   "not_a_uuid"])
def test_claim_refuses_attachments_that_are_not_the_uploaders_to_give(local_media, whose):
    community = CommunityFactory()
    post = PostFactory(community=community)
    ids = {
        "another_community": lambda: _stored(CommunityFactory(), community.owner).pk,
        "another_uploader": lambda: _stored(community, member_add(community)).pk,
        "already_attached": lambda: _stored(community, community.owner, post=PostFactory(
            community=community)).pk,
        "unknown": lambda: "7d0c3e2a-1b4f-4c8e-9d6a-2f5b8e1c0a93",
        "not_a_uuid": lambda: "cat.png",
    }
    free = _stored(community, community.owner)
    with pytest.raises(DomainError) as refused, transaction.atomic():
        attachments_claim(community=community, uploader=community.owner, attachment_ids=[free.pk, ids[whose]()],
                          post=post)
    assert refused.value.field == "attachment_ids"
    # Unknown to this uploader: 400 does_not_exist (not_a_uuid: 400 invalid); used by another post: 409.
    assert refused.value.status_code == {"already_attached": 409}.get(whose, 400)
    assert refused.value.code == {"already_attached": "attached", "not_a_uuid": "invalid"}.get(whose, "does_not_exist")
    free.refresh_from_db()
    assert free.post_id is None  # all or nothing


def test_uploader_deletes_an_unused_attachment_and_its_file(local_media, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    api = client_for(community.owner)
    attachment = upload(api, community).data
    key = Attachment.objects.get(pk=attachment["id"]).file.name
    assert client_for(member_add(community)).delete(url_for("attachment-detail",
                                                            attachment_id=attachment['id'])).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(url_for("attachment-detail", attachment_id=attachment["id"])).status_code == 204
    assert not (local_media / key).exists()
    assert api.get(url_for("attachment-detail", attachment_id=attachment["id"])).status_code == 404


def test_attachments_of_a_private_community_are_hidden_from_outsiders(local_media):
    community = CommunityFactory(community_type="private")
    attachment = upload(client_for(community.owner), community).data
    assert client_for(UserFactory()).get(url_for("attachment-detail",
                                                 attachment_id=attachment['id'])).status_code == 404
    assert client_for(community.owner).get(url_for("attachment-detail",
                                                   attachment_id=attachment['id'])).status_code == 200


# --- a real S3-compatible endpoint ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a loopback port, for the whole session."""
    port = _free_port()
    process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto_server did not start on {endpoint}")
            time.sleep(0.1)
    yield endpoint
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3_storage(s3_endpoint, settings):
    """The default storage pointed at a fresh bucket on the moto endpoint; yields a boto3 client and the bucket."""
    credentials = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing", "region_name": "us-east-1"}
    s3 = boto3.client("s3", endpoint_url=s3_endpoint, **credentials)
    bucket = f"community-media-{time.monotonic_ns()}"
    s3.create_bucket(Bucket=bucket)
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"endpoint_url": s3_endpoint, "access_key": "testing", "secret_key": "testing",
                    "bucket_name": bucket, "region_name": "us-east-1", "file_overwrite": False,
                    "querystring_auth": True},
    }}
    return s3, bucket


def test_upload_to_a_real_s3_endpoint(s3_storage):
    s3, bucket = s3_storage
    community = CommunityFactory()
    response = upload(client_for(community.owner), community, content=PDF, name="report.pdf")
    assert response.status_code == 201
    key = Attachment.objects.get(pk=response.data["id"]).file.name
    assert KEY.match(key)["community"] == str(community.pk) and "report" not in key
    [stored] = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert stored["Key"] == key
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == PDF
    # The URL is signed: the bucket is private, yet the URL reads the object back.
    assert "X-Amz-Signature" in response.data["url"] or "Signature=" in response.data["url"]
    with urllib.request.urlopen(response.data["url"], timeout=5) as signed:
        assert signed.read() == PDF


def test_two_uploads_of_the_same_file_get_different_keys_on_s3(s3_storage):
    s3, bucket = s3_storage
    community = CommunityFactory()
    api = client_for(community.owner)
    first, second = (upload(api, community).data for _ in range(2))
    keys = {a.file.name for a in Attachment.objects.filter(pk__in=[first["id"], second["id"]])}
    assert len(keys) == 2
    assert {o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]} == keys


def test_deleting_an_attachment_removes_the_s3_object(s3_storage, django_capture_on_commit_callbacks):
    s3, bucket = s3_storage
    community = CommunityFactory()
    api = client_for(community.owner)
    attachment = upload(api, community).data
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(url_for("attachment-detail", attachment_id=attachment["id"])).status_code == 204
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


@pytest.mark.django_db(transaction=True)
def test_two_posts_claiming_one_attachment_at_once_give_it_to_exactly_one():
    community = CommunityFactory()
    attachment = _stored(community, community.owner)
    posts = PostFactory.create_batch(8, community=community)

    def claim(post: Post) -> str:
        try:
            with transaction.atomic():
                attachments_claim(community=community, uploader=community.owner, attachment_ids=[attachment.pk],
                                  post=post)
            return "claimed"
        except Conflict:  # the winner's post already holds it
            return "refused"

    results = run_concurrently([lambda post=post: claim(post) for post in posts])
    assert sorted(results) == ["claimed"] + ["refused"] * 7
    attachment.refresh_from_db()
    assert posts[results.index("claimed")].pk == attachment.post_id


def test_feeds_show_each_posts_media_oldest_first_without_a_query_per_post(local_media):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from content.selectors.posts import post_media_urls

    community = CommunityFactory()
    author = member_add(community)
    api = client_for(author)
    ids = [upload(api, community).data["id"] for _ in range(3)]
    first = api.post(url_for("post-list", community_pk=community.pk),
                     {"title": "Three", "content": "x", "attachment_ids": ids}, format="json").data
    Attachment.objects.filter(pk=ids[0]).update(created_at=timezone.now() + timedelta(minutes=5))  # now the newest
    expected = [Attachment.objects.get(pk=pk).file.url for pk in (ids[1], ids[2], ids[0])]
    second = api.post(url_for("post-list", community_pk=community.pk),
                      {"title": "One", "content": "y", "attachment_ids": [upload(api, community).data["id"]]},
                      format="json").data
    for params in ({}, {"cursor": ""}, {"search": "three"}):
        with CaptureQueriesContext(connection) as ctx:
            items = {item["id"]: item for item in api.get(url_for("post-list", community_pk=community.pk),
                                                          params).data["items"]}
        assert items[first["id"]]["media_urls"] == expected, params
        assert not any("content_attachment" in q["sql"] and "content_post" not in q["sql"]
                       for q in ctx.captured_queries), params  # read in the posts' own query
        if "search" not in params:
            assert len(items[second["id"]]["media_urls"]) == 1
    detail = api.get(url_for("post-detail", post_id=first["id"])).data
    assert detail["media_urls"] == expected
    # A post read without the feeds' annotation still shows its media (read from the table).
    assert post_media_urls(Post.objects.get(pk=first["id"])) == expected
