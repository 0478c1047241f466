"""Files attached to objections and repair applications: stored in the database, served safely.

Files are checked by `creditcore.attachments` before they are stored (type by their first bytes,
size, number), kept as bytes with their SHA-256, and only ever served as downloads with the type
their bytes showed, so an uploaded file can never run as a page of the platform.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import models
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _

from creditcore.attachments import AttachmentError, CheckedFile, check_files


class AttachedFile(models.Model):
    """An uploaded file kept in the database (abstract: each feature has its own table)."""

    name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=64)
    size = models.PositiveIntegerField(_("大小(字节)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    data = models.BinaryField(_("内容"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name


def checked_uploads(files: list[tuple[str, bytes]], *, field: str) -> list[tuple[CheckedFile, bytes]]:
    """Check uploads; a refused file raises a ValidationError on `field` naming the file."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    try:
        checked = check_files(files)
    except AttachmentError as exc:
        raise ValidationError({field: gettext(exc.template) % exc.params}) from None
    return list(zip(checked, (data for _name, data in files), strict=True))


def file_fields(checked: CheckedFile, data: bytes) -> dict[str, Any]:
    return {
        "name": checked.name,
        "content_type": checked.content_type,
        "size": checked.size,
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": data,
    }


def file_response(row: AttachedFile) -> HttpResponse:
    """The file as a download with its checked type; never rendered inline by the browser."""
    response = HttpResponse(bytes(row.data), content_type=row.content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=row.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
