"""Audit of superusers looking at members' email addresses in the console (moderators never see them)."""

from collections.abc import Iterable
from uuid import UUID

from members.models import EmailView, EmailViewPage, User


def email_views_record(*, viewer: User, subject_ids: Iterable[UUID], page: EmailViewPage) -> int:
    """One row per address shown to `viewer`; returns how many were recorded."""
    rows = [EmailView(viewer=viewer, subject_id=subject_id, page=page) for subject_id in dict.fromkeys(subject_ids)]
    EmailView.objects.bulk_create(rows)
    return len(rows)
