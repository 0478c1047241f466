"""Reads of the public portal and of the enterprise self-service page.

The public side shows only what the park publishes about a park enterprise: its name, USCC,
current grade and colour, records within their publicity period (contract R) and public
commitments (contract C). Nothing here reads personal data, and nothing is scoped by a user:
every public read starts from `public_enterprises()`.

The self-service page is scoped by the signed-in enterprise user: it reads the user's own
enterprise through `enterprise_get_for_actor` and nothing else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from creditcore.catalogue import Polarity
from creditcore.ledger import Status
from creditcore.scoring.spec import ModelSpec, SpecError
from creditcore.uscc import normalize as normalize_uscc
from parkcredit.common.stamp import Part, StampQuery, StampSql
from parkcredit.enterprises.models import Enterprise
from parkcredit.enterprises.selectors import TimelineRow, enterprise_get_for_actor, enterprise_timeline
from parkcredit.portal import features
from parkcredit.portal.models import ListEntry, ListKind, PublishedList
from parkcredit.records.models import CreditRecord
from parkcredit.records.selectors import record_events_stamp, record_kinds_stamp, record_states
from parkcredit.scoring.models import Score
from parkcredit.scoring.presentation import GRADE_COLOURS, ScorePanel, enterprise_score_panel, spec_of
from parkcredit.scoring.selectors import current_score_stamp, published_model_stamp
from parkcredit.scoring.services import model_published

SEARCH_MAX_LENGTH = 100
USCC_LENGTH = 18
# A code fragment shorter than this would match half the park by accident.
USCC_FRAGMENT_MIN = 6
LATEST_NOTIFICATIONS = 5
SERIOUS_LIST_KIND = "serious-dishonesty"


# --- grades ------------------------------------------------------------------------------------


def _published_spec() -> ModelSpec | None:
    model = model_published()
    if model is None:
        return None
    try:
        return spec_of(model)
    except SpecError:
        return None


@dataclass(frozen=True, slots=True)
class PublicGrade:
    """The current grade as the public sees it: letter, colour, the band's label and the date."""

    grade: str
    colour: str
    label: str
    as_of: date


def _band_label(spec: ModelSpec | None, grade: str) -> str:
    if spec is None:
        return ""
    try:
        return spec.band_by_grade(grade).label
    except KeyError:
        return ""


def public_grade(enterprise: Enterprise, *, spec: ModelSpec | None = None) -> PublicGrade | None:
    score = (
        Score.objects.filter(enterprise=enterprise, is_current=True).only("grade", "colour", "as_of").first()
    )
    if score is None:
        return None
    spec = spec if spec is not None else _published_spec()
    return PublicGrade(
        grade=score.grade,
        colour=score.colour or GRADE_COLOURS.get(score.grade, ""),
        label=_band_label(spec, score.grade),
        as_of=score.as_of,
    )


def _with_grade(queryset: QuerySet[Enterprise]) -> QuerySet[Enterprise]:
    current = Score.objects.filter(enterprise=OuterRef("pk"), is_current=True)
    return queryset.annotate(
        current_grade=Subquery(current.values("grade")[:1]),
        current_colour=Subquery(current.values("colour")[:1]),
    )


# --- search and the enterprise page ------------------------------------------------------------


def public_enterprises() -> QuerySet[Enterprise]:
    """The enterprises the portal knows: park enterprises only (not outside counterparties)."""
    return Enterprise.objects.filter(in_park=True)


@dataclass(frozen=True, slots=True)
class SearchResult:
    """Either an exact USCC hit (`exact`) or the name matches (`matches`, graded, by name)."""

    query: str
    exact: Enterprise | None = None
    matches: QuerySet[Enterprise] | None = None


def portal_search(query: str) -> SearchResult:
    """An exact 18-character USCC goes straight to its enterprise; otherwise names containing the
    text (and, for a long enough code fragment, codes containing it), with current grades."""
    # Control characters (NUL above all, which PostgreSQL refuses in text) never belong in a name.
    query = "".join(ch for ch in (query or "") if unicodedata.category(ch) != "Cc").strip()[
        :SEARCH_MAX_LENGTH
    ]
    if not query:
        return SearchResult(query="")
    code = normalize_uscc(query)
    if len(code) == USCC_LENGTH:
        exact = public_enterprises().filter(uscc=code).first()
        if exact is not None:
            return SearchResult(query=query, exact=exact)
    condition = Q(name__icontains=query)
    if len(code) >= USCC_FRAGMENT_MIN and code.isalnum() and code.isascii():
        condition |= Q(uscc__icontains=code)
    matches = (
        _with_grade(public_enterprises().filter(condition)).only("pk", "name", "uscc").order_by("name", "pk")
    )
    return SearchResult(query=query, matches=matches)


@dataclass(frozen=True, slots=True)
class PublicRecordRow:
    """One record as the public sees it: no payload, no personal data."""

    kind: str
    polarity: str
    decided_on: date
    authority: str
    source_ref: str
    summary: str
    amount: Any
    publicity_end: date | None


@dataclass(frozen=True, slots=True)
class PublicCommitmentRow:
    title: str
    scenario: str
    signed_at: datetime | None
    status: str
    fulfilment: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class PublicProfile:
    """Everything the public enterprise page shows."""

    enterprise: Enterprise
    grade: PublicGrade | None
    code_url: str
    records: list[PublicRecordRow]
    commitments: list[PublicCommitmentRow]
    lists: list[ListEntry]


def _display(obj: Any, name: str) -> str:
    getter = getattr(obj, f"get_{name}_display", None)
    return str(getter() if callable(getter) else getattr(obj, name, "") or "")


def public_record_rows(records: Iterable[Any]) -> list[PublicRecordRow]:
    """Contract R records (each with `.window`) as public rows; shared by the portal's enterprise
    page and the code verification page so both show the same fields and nothing more."""
    rows = []
    for record in records:
        window = getattr(record, "window", None)
        rows.append(
            PublicRecordRow(
                kind=record.kind.name,
                polarity=record.kind.polarity,
                decided_on=record.decided_on,
                authority=record.authority,
                source_ref=record.source_ref,
                summary=record.summary,
                amount=record.amount,
                publicity_end=getattr(window, "publicity_end", None),
            )
        )
    return rows


def public_commitment_rows(commitments: Iterable[Any]) -> list[PublicCommitmentRow]:
    """Contract C commitments as public rows (see `public_record_rows`)."""
    return [
        PublicCommitmentRow(
            title=str(getattr(c, "title", "")),
            scenario=_display(c, "scenario"),
            signed_at=getattr(c, "signed_at", None),
            status=_display(c, "status"),
            fulfilment=str(getattr(c, "fulfilment", "") or ""),
            url=features.url_or_empty("commitments:public_detail", number=c.number)
            if getattr(c, "number", "")
            else "",
        )
        for c in commitments
    ]


def _plausible_uscc(uscc: str) -> str | None:
    """The normalised code when it could be a USCC, else None: only a plausible code reaches the
    database, since an address bar can carry anything (even NUL)."""
    code = normalize_uscc(uscc or "")
    return code if code.isascii() and code.isalnum() and 0 < len(code) <= USCC_LENGTH else None


def public_enterprise_get(uscc: str) -> Enterprise:
    """The park enterprise with this USCC; Http404 otherwise (outside subjects included)."""
    code = _plausible_uscc(uscc)
    enterprise = public_enterprises().filter(uscc=code).first() if code is not None else None
    if enterprise is None:
        raise Http404(_("未找到该企业"))
    return enterprise


def public_profile(enterprise: Enterprise, *, on: date | None = None) -> PublicProfile:
    """Everything the public enterprise page shows, with the records in publicity on `on` (default
    today: the cached page passes the day of its key)."""
    code = features.current_code(enterprise)
    return PublicProfile(
        enterprise=enterprise,
        grade=public_grade(enterprise),
        code_url=str(getattr(code, "url", "") or "") if code is not None else "",
        records=public_record_rows(features.public_records(enterprise, on=on)),
        commitments=public_commitment_rows(features.public_commitments(enterprise)),
        lists=list(
            ListEntry.objects.filter(enterprise=enterprise, published_list__in=PublishedList.objects.public())
            .select_related("published_list")
            .order_by("-published_list__published_at")
        ),
    )


# --- the enterprise page's stamp (see parkcredit.common.stamp and parkcredit.portal.pagecache) ---


def disclosure_stamp(sql: StampSql, enterprise: str) -> list[Part]:
    """The stamp parts of the public disclosure block (`portal/_public_disclosure.html`, records in
    publicity and public commitments) of `enterprise` (an SQL expression of its id). Every cached
    page that shows the block (this app's enterprise page, the code page `/c/<token>`) puts them
    in its stamp, so a change to the block is followed on both.

    Records: their events and, park-wide, the catalogue (kind names, polarity) and the approved
    repair rule sets (which records are in publicity, and until when). Commitments: their shown
    fields. Parts of apps that are not installed are left out, as the block leaves them out.
    """
    parts = [record_events_stamp(sql, enterprise), record_kinds_stamp(sql)]
    repair = features.contract("repair", "selectors")
    if repair is not None:
        parts.append(repair.rule_sets_stamp(sql))
    commitments = features.contract("commitments", "selectors")
    if commitments is not None:
        parts.append(commitments.commitments_stamp(sql, enterprise))
    return parts


def list_entries_stamp(sql: StampSql, enterprise: str) -> Part:
    """Every red/black list entry of `enterprise` (an SQL expression of its id) with its list's
    shown fields and state: changes with an entry added or removed, a list published, withdrawn
    or retitled, a reason changed, through the services, the admin or plain SQL alike."""
    entries, lists = sql.table(ListEntry), sql.table(PublishedList)

    def entry(name: str) -> str:
        return f"por_e.{sql.column(ListEntry, name)}"

    def listed(name: str) -> str:
        return f"por_l.{sql.column(PublishedList, name)}"

    return sql.rows(
        f"{entries} por_e JOIN {lists} por_l ON por_l.id = {entry('published_list')} "
        f"WHERE {entry('enterprise')} = {enterprise}",
        [
            sql.text("por_e.id"),
            sql.string(entry("reason")),
            sql.text("por_l.id"),
            sql.string(listed("kind")),
            sql.string(listed("title")),
            sql.text(listed("published_at")),
            sql.text(listed("withdrawn_at")),
        ],
        "por_e.id",
    )


def _public_page_stamp_build(sql: StampSql) -> tuple[str, tuple[Any, ...]]:
    """SQL and leading parameters of `public_page_stamp` (the USCC is the last parameter)."""
    enterprise = "pub_e.id"
    parts = [
        current_score_stamp(sql, enterprise),  # the grade tile
        published_model_stamp(sql),  # the grade's label
        list_entries_stamp(sql, enterprise),  # "列入红黑名单"
        *disclosure_stamp(sql, enterprise),  # records and commitments
    ]
    codes = features.contract("codes", "selectors")
    if codes is not None:
        parts.append(codes.current_code_stamp(sql, enterprise))  # "查看并验证企业信用码"
    select, params = sql.select(parts)
    in_park = sql.column(Enterprise, "in_park")
    return (
        f"SELECT pub_e.id, pub_e.name, pub_e.uscc, {select} FROM {sql.table(Enterprise)} pub_e "  # noqa: S608
        f"WHERE pub_e.{in_park} = {sql.literal(True)} AND pub_e.{sql.column(Enterprise, 'uscc')} = %s",
        params,
    )


_public_page_stamp = StampQuery(_public_page_stamp_build)


@dataclass(frozen=True, slots=True)
class PublicPageStamp:
    """What the public enterprise page shows from the database, condensed into one row (`row`),
    with the enterprise's id and name (the page's title) taken out of it."""

    enterprise_id: int
    name: str
    row: tuple[Any, ...]


def public_page_stamp(uscc: str) -> PublicPageStamp | None:
    """The stamp of the public page of the park enterprise with this USCC; None when there is none
    (as `public_enterprise_get` would answer 404).

    One query, by the unique USCC and then by indexed enterprise ids: the name and USCC, the
    current score and the published model (grade and label), list entries, the current code, and
    the parts of the public disclosure block. Anything the page shows from the database changes
    the row (see docs/portal.md).
    """
    code = _plausible_uscc(uscc)
    if code is None:
        return None
    row = _public_page_stamp.read(code)
    if row is None:
        return None
    return PublicPageStamp(enterprise_id=row[0], name=row[1], row=row)


# --- what the grades mean ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BandRow:
    grade: str
    min_score: int
    max_score: int
    colour: str
    label: str


@dataclass(frozen=True, slots=True)
class DimensionRow:
    name: str
    description: str
    max_points: int
    indicators: int


@dataclass(frozen=True, slots=True)
class RuleRow:
    name: str
    reason: str
    max_grade: str = ""


@dataclass(frozen=True, slots=True)
class GradeGuide:
    """The published model explained: bands, dimensions, vetoes and caps, all from its spec."""

    model_name: str
    model_version: int
    published_at: datetime | None
    base_score: int
    total_points: int
    bands: list[BandRow]
    dimensions: list[DimensionRow]
    vetoes: list[RuleRow]
    caps: list[RuleRow]
    worst_grade: str


def grade_guide() -> GradeGuide | None:
    """The explanation of the grades from the published model; None before one is published."""
    model = model_published()
    if model is None:
        return None
    try:
        spec = spec_of(model)
    except SpecError:
        return None
    dimensions = [
        DimensionRow(
            name=d.name, description=d.description, max_points=d.max_points, indicators=len(d.indicators)
        )
        for d in spec.dimensions
    ]
    return GradeGuide(
        model_name=model.name,
        model_version=model.version,
        published_at=model.published_at,
        base_score=spec.base_score,
        total_points=spec.base_score + sum(d.max_points for d in dimensions),
        bands=[
            BandRow(
                grade=b.grade, min_score=b.min_score, max_score=b.max_score, colour=b.colour, label=b.label
            )
            for b in spec.bands_desc
        ],
        dimensions=dimensions,
        vetoes=[RuleRow(name=v.name, reason=v.reason) for v in spec.vetoes],
        caps=[RuleRow(name=c.name, reason=c.reason, max_grade=c.max_grade) for c in spec.caps],
        worst_grade=spec.worst_band.grade,
    )


# --- red and black lists -----------------------------------------------------------------------


def public_lists(kind: str = "") -> QuerySet[PublishedList]:
    lists = PublishedList.objects.public()
    if kind in ListKind.values:
        lists = lists.filter(kind=kind)
    return lists.order_by("-published_at", "-id")


def public_list_get(pk: int) -> PublishedList:
    found = PublishedList.objects.public().filter(pk=pk).first()
    if found is None:
        raise Http404(_("名单不存在或未发布"))
    return found


def list_entries(published_list: PublishedList) -> QuerySet[ListEntry]:
    return published_list.entries.select_related("enterprise").order_by("enterprise__name", "id")


def list_get_for_actor(actor: Any, pk: int) -> PublishedList:
    """A list the actor may see (park staff: any, with drafts); Http404 for missing and forbidden."""
    found = PublishedList.objects.visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise Http404(_("名单不存在"))
    return found


@dataclass(frozen=True, slots=True)
class Candidate:
    """An enterprise the grades suggest for a list, with the reason that would be published."""

    enterprise: Enterprise
    reason: str


def _serious_listed() -> dict[int, CreditRecord]:
    """Park enterprises with a serious-dishonesty list record in force today, one record each."""
    records = list(
        CreditRecord.objects.filter(kind__code=SERIOUS_LIST_KIND, enterprise__in=public_enterprises())
        .select_related("enterprise")
        .order_by("-decided_on", "-id")
    )
    states = record_states([record.pk for record in records], timezone.now())
    found: dict[int, CreditRecord] = {}
    for record in records:
        state = states.get(record.pk)
        if record.enterprise_id in found or state is None:
            continue
        if state.exists and state.status is Status.ACTIVE and not state.disputed:
            found[record.enterprise_id] = record
    return found


def list_candidates(published_list: PublishedList) -> list[Candidate]:
    """Suggestions for a draft: grade A for a red list; grade D, or a serious-dishonesty record
    in force, for a black list. Enterprises already on the list are left out."""
    spec = _published_spec()
    already = set(published_list.entries.values_list("enterprise_id", flat=True))
    scores = (
        Score.objects.filter(is_current=True, enterprise__in=public_enterprises())
        .select_related("enterprise")
        .only("grade", "score", "as_of", "enterprise__name", "enterprise__uscc")
    )
    candidates: dict[int, Candidate] = {}
    wanted = "A" if published_list.kind == ListKind.RED else "D"
    for score in scores.filter(grade=wanted).order_by("enterprise__name", "enterprise_id"):
        label = _band_label(spec, score.grade)
        candidates[score.enterprise_id] = Candidate(
            enterprise=score.enterprise,
            reason=_("%(day)s 信用评价为 %(grade)s 级%(label)s(%(score)s 分)")
            % {
                "day": score.as_of.isoformat(),
                "grade": score.grade,
                "label": f"·{label}" if label else "",
                "score": score.score,
            },
        )
    if published_list.kind == ListKind.BLACK:
        for enterprise_id, record in _serious_listed().items():
            reason = _("列入严重失信主体名单(%(ref)s,%(day)s)") % {
                "ref": record.source_ref,
                "day": record.decided_on.isoformat(),
            }
            existing = candidates.get(enterprise_id)
            candidates[enterprise_id] = Candidate(
                enterprise=existing.enterprise if existing else record.enterprise,
                reason=f"{existing.reason};{reason}" if existing else reason,
            )
    return sorted(
        (c for pk, c in candidates.items() if pk not in already),
        key=lambda c: (c.enterprise.name, c.enterprise.pk),
    )


# --- enterprise self-service -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SelfRecord:
    """A record on the self-service page: its status and, for a negative one, its repair window."""

    row: TimelineRow
    negative: bool
    publicity_end: date | None = None
    earliest_repair: date | None = None
    repairable: bool | None = None


@dataclass
class SelfService:
    """The enterprise's own dashboard: nothing here is about another enterprise."""

    enterprise: Enterprise
    score_panel: ScorePanel
    records: list[SelfRecord]
    code: Any | None
    report_url: str  # where the report form posts: generating writes a new report
    inbox_url: str
    unread: int | None = None
    notifications: list[Any] = field(default_factory=list)


def _self_record(row: TimelineRow, windows: dict[int, Any]) -> SelfRecord:
    negative = row.record.kind.polarity == Polarity.NEGATIVE.value
    if not negative:
        return SelfRecord(row=row, negative=False)
    window = windows.get(row.record.pk)
    if window is None:
        return SelfRecord(row=row, negative=True)
    return SelfRecord(
        row=row,
        negative=True,
        publicity_end=getattr(window, "publicity_end", None),
        earliest_repair=getattr(window, "earliest_repair", None),
        repairable=getattr(window, "repairable", None),
    )


def self_service(*, actor: Any) -> SelfService:
    """The signed-in enterprise user's own dashboard; Http404 for an account without an enterprise."""
    enterprise_id = getattr(actor, "enterprise_id", None)
    if enterprise_id is None:
        raise Http404(_("当前账号未关联企业"))
    enterprise = enterprise_get_for_actor(actor, enterprise_id)
    inbox = features.notifications_of(actor, latest=LATEST_NOTIFICATIONS)
    timeline = enterprise_timeline(actor=actor, enterprise=enterprise)
    negative = [row.record for row in timeline if row.record.kind.polarity == Polarity.NEGATIVE.value]
    windows = features.record_windows(negative)
    return SelfService(
        enterprise=enterprise,
        score_panel=enterprise_score_panel(actor=actor, enterprise=enterprise),
        records=[_self_record(row, windows) for row in timeline],
        code=features.current_code(enterprise),
        report_url=features.url_or_empty("reports:generate", pk=enterprise.pk),
        inbox_url=features.url_or_empty("notifications:inbox"),
        unread=inbox[0] if inbox else None,
        notifications=inbox[1] if inbox else [],
    )
