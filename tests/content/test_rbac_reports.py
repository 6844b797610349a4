"""Reports and the audit log: every endpoint × every kind of caller (see world.py)."""

import pytest

from content.models import Report
from tests.content.world import ACTORS, MODERATORS, allow, run_case
from tests.factories import ReportFactory
from tests.routes import url_for


def _report(w) -> Report:
    return ReportFactory(community=w.community, target=w.post, reporters=[w.users["member"]])


REPORTERS = {"member", "muted", "moderator", "admin", "owner", "superadmin"}

MATRIX = {
    ("report-list", "GET"): (lambda w: (url_for("report-list", community_pk=w.community.pk), None),
                             allow(200, MODERATORS)),
    ("report-list", "POST"): (
        lambda w: (url_for("report-list", community_pk=w.community.pk),
                   {"target_type": "post", "target_id": str(w.post.pk), "category": "spam"}),
        {**allow(201, REPORTERS), "author": 409},  # the author cannot report their own post
    ),
    # Report ids exist only for reviewers: everyone else gets a 404.
    ("report-detail", "GET"): (lambda w: (url_for("report-detail", report_id=_report(w).pk), None),
                               allow(200, MODERATORS, other=404)),
    ("report-resolve", "POST"): (lambda w: (url_for("report-resolve", report_id=_report(w).pk), {"note": "done"}),
                                 allow(200, MODERATORS, other=404)),
    ("report-dismiss", "POST"): (lambda w: (url_for("report-dismiss", report_id=_report(w).pk), {}),
                                 allow(200, MODERATORS, other=404)),
    ("audit-log", "GET"): (lambda w: (url_for("audit-log", community_pk=w.community.pk), None), allow(200, MODERATORS)),
}


@pytest.mark.django_db
@pytest.mark.parametrize("endpoint", list(MATRIX), ids=lambda e: f"{e[1]} {e[0]}")
@pytest.mark.parametrize("actor", ACTORS)
def test_rbac_matrix(endpoint, actor):
    run_case(MATRIX, endpoint, actor)
