"""Staff pages of credit information collection (信用信息归集).

Upload a file, follow the import history, read a batch's errors, undo a batch, work the 待关联
queue and watch data quality per source. Views parse input, call the importing selectors and
services and render; batches are park-wide, so there is no per-object scope beyond the role:
archive editors import and resolve, every park role reads, only the park administrator undoes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from creditcore.collection.profiles import PROFILES
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, PARK_ROLES, Role
from parkcredit.accounts.permissions import role_required
from parkcredit.common.htmx import is_htmx
from parkcredit.enterprises.filters import EnterpriseFilters
from parkcredit.enterprises.models import Enterprise
from parkcredit.enterprises.selectors import enterprise_get_for_actor, enterprise_list
from parkcredit.records.importing import selectors, services
from parkcredit.records.importing.forms import (
    BatchFilterForm,
    BatchFilters,
    EnterpriseSearchForm,
    ProfileForm,
    ResolveForm,
    UnmatchedFilterForm,
    UploadForm,
    max_upload_bytes,
    size_label,
)
from parkcredit.records.models import BatchStatus, ImportBatch, UnmatchedRow, UnmatchedState

PAGE_SIZE = 25
ERRORS_SHOWN = 200
SUGGESTIONS = 3
SEARCH_RESULTS = 10
SAMPLES_DIR = Path(settings.BASE_DIR) / "docs" / "samples"
EDITORS = tuple(ARCHIVE_EDITOR_ROLES)
READERS = tuple(PARK_ROLES)
ERROR_FILE_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jsonl": "application/jsonl",
}


def _fragment(request: HttpRequest, template: str, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The whole page, or only `partial` of it for an htmx request; caches keep the two apart."""
    response = render(request, f"{template}#{partial}" if is_htmx(request) else template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _role(request: HttpRequest) -> str:
    return str(getattr(request.user, "role", ""))


def _profile_label(name: str) -> str:
    profile = PROFILES.get(name)
    return str(profile.label) if profile else name


def _messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# --- upload -----------------------------------------------------------------------------------

PARSER_LABELS = {
    "text": gettext_lazy("文本"),
    "date": gettext_lazy("日期"),
    "amount": gettext_lazy("金额"),
    "decimal": gettext_lazy("数值"),
    "int": gettext_lazy("整数"),
    "uscc": gettext_lazy("统一社会信用代码"),
    "choice": gettext_lazy("选项"),
    "month": gettext_lazy("年月"),
    "bool": gettext_lazy("是/否"),
}
UNIT_LABELS = {"yuan": gettext_lazy("元"), "wan": gettext_lazy("万元")}


@dataclass(frozen=True, slots=True)
class ColumnHelp:
    label: str
    required: bool
    kind: str
    aliases: tuple[str, ...]
    note: str


def _profile_help(name: str) -> dict[str, Any]:
    """What the upload page says about one profile: its description and column list."""
    profile = PROFILES.get(name)
    if profile is None:
        return {"profile": None, "columns": []}
    columns = []
    for spec in profile.columns:
        kind = str(PARSER_LABELS.get(spec.parser, spec.parser))
        if spec.unit in UNIT_LABELS:
            kind = _("%(kind)s(%(unit)s)") % {"kind": kind, "unit": UNIT_LABELS[spec.unit]}
        notes = [spec.help] if spec.help else []
        if spec.choices:
            notes.append("、".join(dict.fromkeys(spec.choices)))
        columns.append(ColumnHelp(spec.label, spec.required, kind, spec.aliases, ";".join(notes)))
    return {"profile": profile, "columns": columns}


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def import_upload_view(request: HttpRequest) -> HttpResponse:
    chosen = ProfileForm(request.GET)
    name = chosen.cleaned_data["profile"] if chosen.is_valid() else ""
    initial = {"profile": name or next(iter(PROFILES), "")}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        arguments: dict[str, Any] = {
            "actor": request.user,
            "profile": form.cleaned_data["profile"],
            "data": upload.read(),
            "file_name": upload.name or "",
            "source": form.cleaned_data["source"],
            "strict": form.cleaned_data["strict"],
        }
        try:
            if form.is_large():
                job = services.import_start(**arguments)
                messages.info(request, _("文件较大,已转为后台导入,可在本页查看进度。"))
                return redirect("jobs:detail", pk=job.pk)
            report = services.import_run(**arguments)
        except services.ImportFileError as error:
            form.add_error(
                "file",
                _("文件「%(name)s」无法导入:%(reason)s") % {"name": upload.name, "reason": error.reason},
            )
        except ValidationError as error:
            for message in _messages_of(error):
                form.add_error(None, message)
        else:
            if report.batch_id is not None:
                return redirect("records:import_detail", pk=report.batch_id)
            form.add_error("file", report.message or _("文件「%(name)s」没有导入") % {"name": upload.name})
    context = {
        "form": form,
        **_profile_help(str(form["profile"].value() or "")),
        "max_upload": size_label(max_upload_bytes()),
    }
    return render(request, "records/importing/upload.html", context)


@role_required(*EDITORS)
@require_GET
def import_profile_view(request: HttpRequest) -> HttpResponse:
    """The chosen profile's column list: the fragment the upload form swaps in on change."""
    chosen = ProfileForm(request.GET)
    name = chosen.cleaned_data["profile"] if chosen.is_valid() else ""
    return _fragment(
        request,
        "records/importing/upload.html",
        "columns",
        {**_profile_help(name), "form": UploadForm(initial={"profile": name})},
    )


@role_required(*READERS)
@require_GET
def sample_view(request: HttpRequest, name: str) -> HttpResponse:
    """The sample file of one profile. Only profile names reach the disk, never a path."""
    if name not in PROFILES:
        raise Http404(_("没有名为「%(name)s」的导入类型") % {"name": name})
    path = SAMPLES_DIR / f"{name}.csv"
    if not path.is_file():
        raise Http404(_("导入类型「%(name)s」暂无样例文件") % {"name": name})
    # Samples are a few rows each: read whole, served with the name a department will keep.
    response = HttpResponse(path.read_bytes(), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=path.name)
    return response


# --- history and batch ------------------------------------------------------------------------


def _filtered_batches(batches: QuerySet[ImportBatch], filters: BatchFilters) -> QuerySet[ImportBatch]:
    """The history filters the batch selector does not take: file name or hash, importer, dates."""
    if filters.q:
        batches = batches.filter(
            Q(file_name__icontains=filters.q) | Q(file_sha256__startswith=filters.q.lower())
        )
    if filters.created_by:
        batches = batches.filter(
            Q(created_by__username__icontains=filters.created_by)
            | Q(created_by__full_name__icontains=filters.created_by)
        )
    if filters.since:
        batches = batches.filter(created_at__date__gte=filters.since)
    if filters.until:
        batches = batches.filter(created_at__date__lte=filters.until)
    return batches


@role_required(*READERS)
@require_GET
def import_list_view(request: HttpRequest) -> HttpResponse:
    filter_form = BatchFilterForm(request.GET)
    filters = filter_form.filters()
    batches = selectors.batch_list(
        actor=request.user, filters={"profile": filters.profile, "status": filters.status}
    )
    page = Paginator(_filtered_batches(batches, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    for batch in page:
        setattr(batch, "profile_label", _profile_label(batch.profile))  # noqa: B010 - a display-only attribute
    context = {
        "filter_form": filter_form,
        "filters": filters,
        "page": page,
        "statuses": BatchStatus.choices,
        "profiles": PROFILES,
        "can_undo": _role(request) == Role.PARK_ADMIN,
        "can_import": _role(request) in ARCHIVE_EDITOR_ROLES,
    }
    return _fragment(request, "records/importing/list.html", "table", context)


@role_required(*READERS)
@require_GET
def import_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_get_for_actor(actor=request.user, pk=pk)
    counts = batch.counts or {}
    errors = list(batch.errors or [])[:ERRORS_SHOWN]
    context = {
        "batch": batch,
        "profile": PROFILES.get(batch.profile),
        "counts": counts,
        "errors": errors,
        "errors_hidden": max(0, int(counts.get("error", 0)) - len(errors)),
        "pending": batch.unmatched_rows.filter(state=UnmatchedState.PENDING).count(),
        "can_undo": _role(request) == Role.PARK_ADMIN and batch.status == BatchStatus.DONE,
        "can_resolve": _role(request) in ARCHIVE_EDITOR_ROLES,
    }
    return render(request, "records/importing/detail.html", context)


@role_required(*READERS)
@require_GET
def import_errors_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The rejected rows in the file's own layout plus 错误原因, to fix and upload again."""
    content, name = selectors.batch_error_file(actor=request.user, pk=pk)
    content_type = ERROR_FILE_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    return response


@role_required(Role.PARK_ADMIN)
@require_http_methods(["GET", "POST"])
def import_undo_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page on GET; the POST revokes everything the batch wrote."""
    batch = selectors.batch_get_for_actor(actor=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.import_batch_undo(actor=request.user, batch=batch)
        except ValidationError as error:
            for message in _messages_of(error):
                messages.error(request, message)
        else:
            messages.success(
                request, _("已撤销批次「%(name)s」的全部写入") % {"name": batch.file_name or batch.label}
            )
        return redirect("records:import_detail", pk=batch.pk)
    return render(request, "records/importing/undo.html", {"batch": batch, "counts": batch.counts or {}})


# --- 待关联 queue -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueRow:
    row: UnmatchedRow
    profile_label: str
    suggestions: list[selectors.Suggestion]


def _suggestions(actor: Any, row: UnmatchedRow) -> list[selectors.Suggestion]:
    if row.state != UnmatchedState.PENDING:
        return []
    return selectors.unmatched_suggestions(actor=actor, row=row, limit=SUGGESTIONS)


@role_required(*EDITORS)
@require_GET
def unmatched_list_view(request: HttpRequest) -> HttpResponse:
    filter_form = UnmatchedFilterForm(request.GET)
    filters = filter_form.filters()
    # No state in the query means the queue itself (pending rows); an empty state means every row.
    if "state" not in request.GET:
        filters["state"] = UnmatchedState.PENDING
    page = Paginator(
        selectors.unmatched_list(actor=request.user, filters={**filters, "state": filters["state"] or "all"}),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    # One candidate query for the whole page, not one per row.
    suggestions = selectors.unmatched_suggestions_for_rows(
        actor=request.user, rows=list(page.object_list), limit=SUGGESTIONS
    )
    context = {
        "filter_form": filter_form,
        "filters": filters,
        "page": page,
        "rows": [
            QueueRow(row, _profile_label(row.profile), suggestions.get(row.pk, []))
            for row in page.object_list
        ],
        "states": UnmatchedState.choices,
        "profiles": PROFILES,
    }
    return _fragment(request, "records/importing/unmatched_list.html", "table", context)


def _search_results(actor: Any, q: str) -> list[Enterprise]:
    if len(q) < 2:
        return []
    return list(enterprise_list(actor=actor, filters=EnterpriseFilters(q=q))[:SEARCH_RESULTS])


def _resolve(request: HttpRequest, row: UnmatchedRow, form: ResolveForm) -> str | None:
    """Apply the staff decision; the success message, or None with the errors on the form."""
    action = form.cleaned_data["action"]
    try:
        if action == "link":
            enterprise = enterprise_get_for_actor(request.user, form.cleaned_data["enterprise"])
            services.unmatched_link(actor=request.user, row=row, enterprise=enterprise)
            return _("第 %(number)s 行已关联到「%(name)s」并写入") % {
                "number": row.number,
                "name": enterprise.name,
            }
        services.unmatched_create_subject(actor=request.user, row=row, in_park=action == "create_park")
    except ValidationError as error:
        for message in _messages_of(error):
            form.add_error(None, message)
        return None
    except Http404:
        form.add_error("enterprise", _("所选企业不存在或无权查看,请重新搜索"))
        return None
    return _("第 %(number)s 行的主体「%(name)s」已建档并写入") % {
        "number": row.number,
        "name": row.subject_name or row.uscc,
    }


@role_required(*EDITORS)
@require_http_methods(["GET", "POST"])
def unmatched_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One queued row: search the archive and link it, or create the subject (in or outside the park)."""
    row = selectors.unmatched_get_for_actor(actor=request.user, pk=pk)
    search = EnterpriseSearchForm(request.GET)
    q = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if request.method == "GET" and is_htmx(request) and "q" in request.GET:
        context = {"row": row, "results": _search_results(request.user, q), "q": q}
        return _fragment(request, "records/importing/resolve.html", "results", context)
    form = ResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if row.state != UnmatchedState.PENDING:
            form.add_error(None, _("这一行已处理,不能再次处理"))
        elif done := _resolve(request, row, form):
            messages.success(request, done)
            return redirect("records:unmatched_list")
    context = {
        "row": row,
        "form": form,
        "profile": PROFILES.get(row.profile),
        "suggestions": _suggestions(request.user, row),
        "results": _search_results(request.user, q),
        "q": q,
    }
    return render(request, "records/importing/resolve.html", context)


# --- data quality -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QualityCard:
    """One source on the quality page: the selector's figures as the page shows them."""

    quality: selectors.SourceQuality
    chart_id: str
    chart: dict[str, Any]
    error_rate: str
    unmatched_share: str
    coverage: str


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _volume_chart(quality: selectors.SourceQuality) -> dict[str, Any]:
    return {
        "type": "bar",
        "categories": [month.strftime("%Y-%m") for month, _rows in quality.volume],
        "series": [{"name": _("导入行数"), "data": [rows for _month, rows in quality.volume]}],
    }


@role_required(*READERS)
@require_GET
def quality_view(request: HttpRequest) -> HttpResponse:
    cards = [
        QualityCard(
            quality=item,
            chart_id=f"chart-source-{item.source.pk}",
            chart=_volume_chart(item),
            error_rate=_percent(item.error_rate),
            unmatched_share=_percent(item.unmatched_share),
            coverage=_percent(item.coverage),
        )
        for item in selectors.source_quality(actor=request.user)
    ]
    return render(request, "records/importing/quality.html", {"cards": cards})
