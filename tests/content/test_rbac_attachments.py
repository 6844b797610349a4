"""Media attachments: every endpoint × every kind of caller (see world.py)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from content.models import Attachment
from tests.content.world import ACTORS, SPEAKERS, allow, everyone, run_case
from tests.routes import url_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def local_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def _attachment(w, *, uploader: str = "owner") -> Attachment:
    attachment = Attachment(community=w.community, uploader=w.users[uploader], content_type="image/png",
                            size=len(PNG))
    attachment.file.save(f"communities/{w.community.pk}/rbac/{uploader}.png", ContentFile(PNG), save=True)
    return attachment


MATRIX = {
    ("attachment-upload", "POST"): (
        lambda w: (url_for("attachment-upload", community_pk=w.community.pk),
                   {"file": SimpleUploadedFile("a.png", PNG, "image/png")}, "multipart"),
        allow(201, SPEAKERS),
    ),
    # Public community: anyone may read; the banned see nothing.
    ("attachment-detail", "GET"): (lambda w: (url_for("attachment-detail", attachment_id=_attachment(w).pk), None),
                                   everyone(200)),
    # Only the uploader deletes (here the member who uploaded it); moderators cannot.
    ("attachment-detail", "DELETE"): (
        lambda w: (url_for("attachment-detail", attachment_id=_attachment(w, uploader="member").pk), None),
        allow(204, {"member"}),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
