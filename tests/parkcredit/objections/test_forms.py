"""The upload field's help text follows the language of each request, not of the first import."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import override

from parkcredit.objections.forms import ObjectionForm
from parkcredit.repair.workflow.forms import ApplicationForm


def test_the_upload_help_text_is_translated_when_shown() -> None:
    for field in (ObjectionForm.base_fields["evidence"], ApplicationForm.base_fields["materials"]):
        assert isinstance(field.help_text, Promise)
        with override("zh-hans"):
            assert str(field.help_text) == "PDF、PNG、JPG 格式,每个文件不超过 5 MB,最多 10 个"
