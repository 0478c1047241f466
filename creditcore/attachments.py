"""Checks on files people attach to repair applications and objections.

The declared content type and the file name are the uploader's word; the first bytes of the
file are not. A file is accepted only when its bytes are one of the allowed formats, and it is
then stored and served with the type its bytes showed, never the declared one.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_FILES = 10
MAX_NAME_CHARS = 120

# Signature -> (content type, extension shown to people).
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
ALLOWED_LABEL = "PDF、PNG、JPG"


def gettext_noop(message: str) -> str:
    """Marks a message for extraction (makemessages knows this name); creditcore stays Django-free."""
    return message


class AttachmentError(ValueError):
    """A file that may not be attached; the message names the file and the reason in Chinese.

    `template` and `params` are kept apart so the Django side can translate the template and
    fill it in again (`_(error.template) % error.params`).
    """

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params)


@dataclass(frozen=True, slots=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def clean_name(name: str) -> str:
    """The base name without directories or control characters, shortened to a safe length."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    if len(base) > MAX_NAME_CHARS:
        stem, dot, ext = base.rpartition(".")
        base = (
            (stem[: MAX_NAME_CHARS - len(ext) - 1] + dot + ext)
            if dot and len(ext) <= 8
            else base[:MAX_NAME_CHARS]
        )
    return base or "附件"


def check_file(name: str, data: bytes) -> CheckedFile:
    """Accept `data` if it is a non-empty PDF, PNG or JPEG within the size limit."""
    shown = clean_name(name)
    if not data:
        raise AttachmentError(gettext_noop("文件「%(name)s」是空文件"), name=shown)
    if len(data) > MAX_FILE_BYTES:
        raise AttachmentError(
            gettext_noop("文件「%(name)s」大小 %(size)s MB,超过 %(limit)s MB 的上限"),
            name=shown,
            size=f"{len(data) / 1024 / 1024:.1f}",
            limit=MAX_FILE_BYTES // 1024 // 1024,
        )
    for signature, content_type, _ext in _SIGNATURES:
        if data.startswith(signature):
            return CheckedFile(name=shown, content_type=content_type, size=len(data))
    raise AttachmentError(
        gettext_noop("文件「%(name)s」不是允许的格式(仅限 %(allowed)s)"), name=shown, allowed=ALLOWED_LABEL
    )


def check_files(files: list[tuple[str, bytes]]) -> list[CheckedFile]:
    """Check every file and their number; the first problem raises."""
    if len(files) > MAX_FILES:
        raise AttachmentError(
            gettext_noop("最多上传 %(max)s 个文件,收到 %(n)s 个"), max=MAX_FILES, n=len(files)
        )
    return [check_file(name, data) for name, data in files]
