"""Uploaded files have no permanent public URL: the API hands signed, expiring URLs to who
may read the post, and /media/ answers only those (community_service/media.py)."""

import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from rest_framework.test import APIClient

from communities.models import Community
from community_service.media import media_signature
from content.models import Attachment
from tests.conftest import client_for
from tests.content.world import build_world
from tests.routes import url_for

pytestmark = pytest.mark.django_db
BYTES = b"\x89PNG\r\n\x1a\n private pixels"


@pytest.fixture
def private_media():
    world = build_world()
    Community.objects.filter(pk=world.community.pk).update(community_type="private")
    attachment = Attachment(community=world.community, post=world.post, uploader=world.users["author"],
                            content_type="image/png", size=len(BYTES))
    attachment.file.save(f"test/{uuid.uuid4().hex}.png", ContentFile(BYTES), save=False)
    attachment.save()
    return world, attachment


def _url_of(world) -> str:
    [url] = client_for(world.users["member"]).get(url_for("post-detail", post_id=world.post.pk)).json()["media_urls"]
    return url


def test_a_member_gets_a_signed_url_that_serves_the_file_to_its_holder_only_while_valid(private_media):
    world, attachment = private_media
    url = _url_of(world)
    query = parse_qs(urlsplit(url).query)
    assert set(query) == {"expires", "signature"} and int(query["expires"][0]) > time.time() + 3000
    response = APIClient().get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == BYTES
    assert response["Cache-Control"].startswith("private")
    # The bare path, another signature or another file's signature: as if it did not exist.
    path = urlsplit(url).path
    assert APIClient().get(path).status_code == 404
    assert APIClient().get(url.replace(query["signature"][0], "x" * 27)).status_code == 404
    assert APIClient().get(url.replace(attachment.file.name, "test/other.png")).status_code == 404


def test_an_expired_url_is_a_404(private_media):
    _, attachment = private_media
    expires = int(time.time()) - 1
    signature = media_signature(attachment.file.name, expires)
    url = f"/media/{attachment.file.name}?expires={expires}&signature={signature}"
    assert APIClient().get(url).status_code == 404


def test_outsiders_are_handed_no_url(private_media):
    world, _ = private_media
    for client in (APIClient(), client_for(world.users["non_member"]), client_for(world.users["pending"])):
        assert client.get(url_for("post-detail", post_id=world.post.pk)).status_code == 404


@override_settings(MEDIA_ACCEL_REDIRECT="/protected-media")
def test_behind_nginx_the_file_is_handed_to_the_internal_location(private_media):
    world, attachment = private_media
    response = APIClient().get(_url_of(world))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{attachment.file.name}"
    assert response["Content-Type"] == "image/png"
