"""Reports and the audit log: every endpoint × every kind of caller (see world.py)."""

import pytest
from django.utils import timezone

from content.models import Report, ReportEntry
from tests.content.world import ACTORS, MODERATORS, allow, run_case


def _report(w) -> Report:
    report = Report.objects.create(community=w.community, target_type="post", target_id=w.post.pk,
                                   reporter_count=1, last_reported_at=timezone.now())
    ReportEntry.objects.create(report=report, reporter=w.users["member"], category="spam")
    return report


REPORTERS = {"member", "muted", "moderator", "admin", "owner", "superadmin"}

MATRIX = {
    ("report-list", "GET"): (lambda w: (f"{w.c}/reports", None), allow(200, MODERATORS)),
    ("report-list", "POST"): (
        lambda w: (f"{w.c}/reports", {"target_type": "post", "target_id": str(w.post.pk), "category": "spam"}),
        {**allow(201, REPORTERS), "author": 409},  # the author cannot report their own post
    ),
    # Report ids exist only for reviewers: everyone else gets a 404.
    ("report-detail", "GET"): (lambda w: (f"/api/v1/reports/{_report(w).pk}", None),
                               allow(200, MODERATORS, other=404)),
    ("report-resolve", "POST"): (lambda w: (f"/api/v1/reports/{_report(w).pk}/resolve", {"note": "done"}),
                                 allow(200, MODERATORS, other=404)),
    ("report-dismiss", "POST"): (lambda w: (f"/api/v1/reports/{_report(w).pk}/dismiss", {}),
                                 allow(200, MODERATORS, other=404)),
    ("audit-log", "GET"): (lambda w: (f"{w.c}/audit-log", None), allow(200, MODERATORS)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
