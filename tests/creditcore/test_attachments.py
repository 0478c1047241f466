"""Attached files are judged by their bytes, not by their name or declared type."""

from __future__ import annotations

import pytest

from creditcore.attachments import (
    MAX_FILE_BYTES,
    MAX_FILES,
    AttachmentError,
    check_file,
    check_files,
    clean_name,
)

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPG = b"\xff\xd8\xff\xe0" + b"\x00" * 20


@pytest.mark.parametrize(
    ("data", "content_type"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPG, "image/jpeg")]
)
def test_allowed_formats_are_recognised_by_their_bytes(data: bytes, content_type: str) -> None:
    assert check_file("整改报告.pdf", data).content_type == content_type


def test_a_script_named_pdf_is_refused() -> None:
    with pytest.raises(AttachmentError, match=r"「x\.pdf」不是允许的格式"):
        check_file("x.pdf", b"<script>alert(1)</script>")


def test_empty_and_oversized_files_are_refused() -> None:
    with pytest.raises(AttachmentError, match="空文件"):
        check_file("a.pdf", b"")
    with pytest.raises(AttachmentError, match="超过 5 MB"):
        check_file("a.pdf", PDF + b"0" * MAX_FILE_BYTES)


def test_too_many_files_are_refused() -> None:
    with pytest.raises(AttachmentError, match=f"最多上传 {MAX_FILES} 个文件"):
        check_files([("a.pdf", PDF)] * (MAX_FILES + 1))


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\缴款凭证.jpg", "缴款凭证.jpg"),
        ('a<b>"c".pdf', "abc.pdf"),
        ("...", "附件"),
        ("x" * 300 + ".pdf", "x" * 116 + ".pdf"),
    ],
)
def test_names_lose_directories_and_unsafe_characters(raw: str, clean: str) -> None:
    assert clean_name(raw) == clean


def test_errors_keep_the_template_apart_for_translation() -> None:
    with pytest.raises(AttachmentError) as caught:
        check_file("a.exe", b"MZ\x90\x00")
    error = caught.value
    assert error.template == "文件「%(name)s」不是允许的格式(仅限 %(allowed)s)"
    assert error.params == {"name": "a.exe", "allowed": "PDF、PNG、JPG"}
    assert str(error) == error.template % error.params == "文件「a.exe」不是允许的格式(仅限 PDF、PNG、JPG)"
