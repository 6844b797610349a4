"""Reports, the audit log and media: every endpoint × every kind of caller (see world.py)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from content.models import Attachment, Report, ReportEntry
from tests.content.world import ACTORS, MODERATORS, SPEAKERS, allow, everyone, run_case

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _report(w) -> Report:
    report = Report.objects.create(community=w.community, target_type="post", target_id=w.post.pk,
                                   reporter_count=1, last_reported_at=timezone.now())
    ReportEntry.objects.create(report=report, reporter=w.users["member"], category="spam")
    return report


def _attachment(w) -> Attachment:
    attachment = Attachment(community=w.community, uploader=w.users["owner"], content_type="image/png",
                            size=len(PNG))
    attachment.file.save(f"communities/{w.community.pk}/test/{timezone.now().timestamp()}.png", ContentFile(PNG),
                         save=True)
    return attachment


REPORTERS = {"member", "muted", "moderator", "admin", "owner", "superadmin"}

MATRIX = {
    ("report-list", "GET"): (lambda w: (f"{w.c}/reports", None), allow(200, MODERATORS)),
    ("report-list", "POST"): (
        lambda w: (f"{w.c}/reports", {"target_type": "post", "target_id": str(w.post.pk), "category": "spam"}),
        {**allow(201, REPORTERS), "author": 400},  # the author cannot report their own post
    ),
    ("report-detail", "GET"): (lambda w: (f"/api/v1/reports/{_report(w).pk}", None), allow(200, MODERATORS)),
    ("report-resolve", "POST"): (lambda w: (f"/api/v1/reports/{_report(w).pk}/resolve", {"note": "done"}),
                                 allow(200, MODERATORS)),
    ("report-dismiss", "POST"): (lambda w: (f"/api/v1/reports/{_report(w).pk}/dismiss", {}), allow(200, MODERATORS)),
    ("audit-log", "GET"): (lambda w: (f"{w.c}/audit-log", None), allow(200, MODERATORS)),
    ("attachment-upload", "POST"): (
        lambda w: (f"{w.c}/attachments", {"file": SimpleUploadedFile("a.png", PNG, "image/png")}, "multipart"),
        allow(201, SPEAKERS),
    ),
    ("attachment-detail", "GET"): (lambda w: (f"/api/v1/attachments/{_attachment(w).pk}", None), everyone(200)),
    ("attachment-detail", "DELETE"): (lambda w: (f"/api/v1/attachments/{_attachment(w).pk}", None),
                                      allow(204, {"owner"})),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
