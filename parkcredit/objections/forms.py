"""Forms of the objection pages; the services check everything again."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from creditcore.attachments import ALLOWED_LABEL, MAX_FILE_BYTES, MAX_FILES
from creditcore.deadlines import ObjectionTrack
from parkcredit.common.once import OnceTokenField


def _files_help() -> str:
    return gettext("%(types)s 格式,每个文件不超过 %(mb)s MB,最多 %(n)s 个") % {
        "types": ALLOWED_LABEL,
        "mb": MAX_FILE_BYTES // 1024 // 1024,
        "n": MAX_FILES,
    }


# Fields are built when the module is imported; a lazy help text is translated per request instead.
files_help = lazy(_files_help, str)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; returns a list (possibly empty)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg", "class": "form-control"})
        )
        kwargs.setdefault("help_text", files_help())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def read_uploads(files: list[Any]) -> list[tuple[str, bytes]]:
    """(name, bytes) of uploaded files, reading at most one byte over the limit of each."""
    return [(upload.name, upload.read(MAX_FILE_BYTES + 1)) for upload in files]


class ObjectionForm(forms.Form):
    reasons = forms.CharField(
        label=_("异议理由"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        max_length=2000,
        help_text=_("说明记录哪里有误、事实是什么(至少 10 个字)"),
    )
    evidence = MultipleFileField(label=_("证明材料"), required=False)
    # The one-time token of this objection page: sending the page twice submits once.
    token = OnceTokenField(expired=_("异议页面已失效,本次没有提交。请重新填写异议理由、选择证明材料后再提交"))


class ObjectionActionForm(forms.Form):
    """The department's action on an open objection. `track` is the track the page showed, so a
    repeat of the page is recognised (see services.ObjectionAlreadyHandled)."""

    ACTIONS = (
        ("extend", _("转信息提供单位核实(时限延至7个工作日)")),
        ("reject", _("异议不成立,维持记录")),
        ("uphold", _("异议成立,撤销记录")),
        ("corrected", _("信息提供单位已更正记录,办结")),
    )
    track = forms.ChoiceField(
        choices=[(track.value, track.value) for track in ObjectionTrack],
        widget=forms.HiddenInput,
        error_messages={
            "required": _("处理页面已失效,请刷新页面后重新处理"),
            "invalid_choice": _("处理页面已失效,请刷新页面后重新处理"),
        },
    )
    action = forms.ChoiceField(
        label=_("处理"), choices=ACTIONS, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label=_("处理意见"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, track: str | None = None, **kwargs: Any) -> None:
        """`track`: the objection's track, for the page; an objection already routed to its
        information provider is not offered the routing again (it happens once)."""
        super().__init__(*args, **kwargs)
        if track is not None:
            self.initial.setdefault("track", track)
            if track == ObjectionTrack.VERIFY:
                action = cast(forms.ChoiceField, self.fields["action"])
                action.choices = [choice for choice in self.ACTIONS if choice[0] != "extend"]
