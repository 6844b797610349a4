"""Uploads: sniffed by content, stored under unguessable keys, claimed by a post."""

import uuid
from collections.abc import Callable, Sequence
from typing import NoReturn
from uuid import UUID

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from communities.models import Community
from community_service.db.transactions import atomic_with_retry
from community_service.exceptions import (
    Conflict,
    PayloadTooLarge,
    PermissionDenied,
    UnknownReference,
    ValidationFailed,
)
from content.models import Attachment, Post
from members.models import User

# Allowed types, recognised by their first bytes (the client's Content-Type is not trusted).
SIGNATURES: list[tuple[str, str, Callable[[bytes], bool]]] = [
    ("image/jpeg", "jpg", lambda head: head.startswith(b"\xff\xd8\xff")),
    ("image/png", "png", lambda head: head.startswith(b"\x89PNG\r\n\x1a\n")),
    ("image/gif", "gif", lambda head: head[:6] in (b"GIF87a", b"GIF89a")),
    ("image/webp", "webp", lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP"),
    ("video/mp4", "mp4", lambda head: head[4:8] == b"ftyp"),
    ("application/pdf", "pdf", lambda head: head.startswith(b"%PDF-")),
]


def attachment_sniff(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) from the file's first bytes. Raises ValidationFailed(field="file")."""
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for content_type, extension, matches in SIGNATURES:
        if matches(head):
            return content_type, extension
    allowed = ", ".join(content_type for content_type, _, _ in SIGNATURES)
    raise ValidationFailed(f"Unsupported file type. Allowed: {allowed}.", field="file", code="unsupported_type")


def attachment_too_large() -> NoReturn:
    """Raise the 413 for an upload past MEDIA_MAX_UPLOAD_BYTES."""
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    raise PayloadTooLarge(f"Files can be at most {limit} bytes ({limit / 1024 / 1024:g} MiB).", field="file",
                          code="file_too_large")


@transaction.atomic  # not retried: it takes no row locks, and a rerun would store the file twice
def attachment_upload(*, community: Community, uploader: User, upload: UploadedFile) -> Attachment:
    """Store an upload; raises PayloadTooLarge (413) or ValidationFailed (400, field `file`)."""
    if upload.size > settings.MEDIA_MAX_UPLOAD_BYTES:
        attachment_too_large()
    if upload.size == 0:
        raise ValidationFailed("The file is empty.", field="file", code="empty")
    assert upload.size is not None, "Django's uploaded files know their size"
    content_type, extension = attachment_sniff(upload)
    attachment = Attachment(community=community, uploader=uploader, content_type=content_type, size=upload.size,
                            original_name=(upload.name or "")[:255])
    # Unguessable: two random UUIDs, and nothing of the client's file name.
    key = f"communities/{community.pk}/{uuid.uuid4().hex}/{uuid.uuid4().hex}.{extension}"
    attachment.file.save(key, upload, save=False)
    attachment.save()
    return attachment


@atomic_with_retry
def attachment_delete(*, attachment: Attachment, user: User) -> None:
    """The uploader may delete an attachment that no post uses yet (and its stored file)."""
    attachment = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if attachment.uploader_id != user.pk:
        raise PermissionDenied("Only the uploader can delete this attachment.")
    if attachment.post_id is not None:
        raise Conflict("The attachment belongs to a post; delete or edit the post instead.", code="attached")
    stored = attachment.file.name
    assert stored is not None, "an attachment row always names its stored file"
    storage = attachment.file.storage
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(stored))


def attachments_claim(
    *, community: Community, uploader: User, attachment_ids: Sequence[UUID | str], post: Post
) -> list[Attachment]:
    """Attach the uploader's free attachments of this community to `post`.

    Precondition: runs inside the post's transaction, so a failed post frees them again.
    Every id must name an attachment of this community, uploaded by `uploader` and not
    attached to a post (else ValidationFailed, field `attachment_ids`). Rows are locked in
    pk order: of two posts claiming the same attachment at once, the second sees it taken.
    """
    try:
        wanted = {uuid.UUID(str(attachment_id)) for attachment_id in attachment_ids}
    except ValueError as exc:
        raise ValidationFailed("Attachment ids must be UUIDs.", field="attachment_ids", code="invalid") from exc
    if not wanted:
        return []
    attachments = list(
        Attachment.objects.select_for_update()
        .filter(pk__in=wanted, community=community, uploader=uploader)
        .order_by("pk")
    )
    if len(attachments) != len(wanted):
        # Someone else's upload, or another community's, is as unknown as a made-up id.
        raise UnknownReference("Unknown attachment.", field="attachment_ids")
    if any(attachment.post_id is not None for attachment in attachments):
        raise Conflict("An attachment is already used by a post.", field="attachment_ids", code="attached")
    Attachment.objects.filter(pk__in=wanted).update(post=post)
    for attachment in attachments:
        attachment.post = post
    return attachments
