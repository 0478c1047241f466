"""Pages: the sign flow with its confirmation step, public lists, the staff list, templates, the check job."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parkcredit.audit.models import AuditEntry
from parkcredit.commitments.models import Commitment, CommitmentStatus, CommitmentTemplate
from parkcredit.commitments.services import commitment_breach_declare, commitment_sign, template_revise
from parkcredit.jobs.models import Job, JobState

pytestmark = pytest.mark.django_db


def template(code: str) -> CommitmentTemplate:
    return CommitmentTemplate.objects.get(code=code, is_current=True)


def _confirmation(preview: Any) -> dict[str, str]:
    """The hidden fields of a confirmation page: the digest of the text and the signing token."""
    page = preview.content.decode()
    return {
        name: re.search(rf'name="{name}" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        for name in ("digest", "token")
    }


def test_the_sign_flow_shows_the_exact_text_then_signs(login: Any, ent_a: Any, ent_a_user: Any) -> None:
    client = login("ent_a_user")
    url = reverse("commitments:sign", kwargs={"pk": template("policy").pk})
    assert "下一步:阅读承诺书" in client.get(url).content.decode()

    preview = client.post(url, {"action": "preview", "scope": "2026 年研发费用补助", "is_public": "on"})
    page = preview.content.decode()
    assert preview.status_code == 200 and "确认签署" in page
    assert ent_a.name in page and "2026 年研发费用补助" in page
    digest = preview.context["draft"].rendered.digest
    hidden = _confirmation(preview)
    assert hidden["digest"] == digest
    assert not Commitment.objects.exists()

    unconfirmed = client.post(url, {"action": "sign", "scope": "2026 年研发费用补助", **hidden})
    assert "请勾选确认已阅读承诺书后再签署" in unconfirmed.content.decode()
    assert _confirmation(unconfirmed) == hidden  # the page shown again keeps its signing token
    assert not Commitment.objects.exists()

    signed = client.post(
        url,
        {"action": "sign", "scope": "2026 年研发费用补助", "is_public": "on", "confirmed": "on", **hidden},
        follow=True,
    )
    commitment = Commitment.objects.get()
    assert commitment.digest == digest and commitment.enterprise == ent_a and commitment.is_public
    detail = signed.content.decode()
    assert commitment.digest in detail and commitment.number in detail
    assert AuditEntry.objects.filter(action="commitment.signed", actor_id=ent_a_user.pk).exists()


def test_a_tampered_digest_signs_nothing(login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("commitments:sign", kwargs={"pk": template("policy").pk})
    response = client.post(
        url, {"action": "sign", "scope": "", "digest": "0" * 64, "token": "a" * 32, "confirmed": "on"}
    )
    assert "承诺书内容已变化" in response.content.decode()
    assert not Commitment.objects.exists()


def _sign_data(client: Any, url: str, scope: str = "2026 年研发费用补助") -> dict[str, str]:
    """Open a fresh confirmation page and return what pressing 确认签署 on it sends."""
    preview = client.post(url, {"action": "preview", "scope": scope, "is_public": "on"})
    return {"action": "sign", "scope": scope, "is_public": "on", "confirmed": "on", **_confirmation(preview)}


def test_a_double_click_or_a_resent_page_signs_once(login: Any, ent_a_user: Any) -> None:
    client = login("ent_a_user")
    url = reverse("commitments:sign", kwargs={"pk": template("policy").pk})
    data = _sign_data(client, url)
    first = client.post(url, data)
    commitment = Commitment.objects.get()
    detail = reverse("commitments:detail", kwargs={"pk": commitment.pk})
    assert first.status_code == 302 and first["Location"] == detail

    again = client.post(url, data, follow=True)
    assert again.redirect_chain == [(detail, 302)]
    page = again.content.decode()
    assert f"这份承诺书已经签署(承诺编号 {commitment.number}),重复提交没有再签一份。" in page
    assert Commitment.objects.count() == 1
    assert AuditEntry.objects.filter(action="commitment.signed").count() == 1
    assert commitment.events.count() == 1


def test_a_resent_page_finds_its_commitment_after_the_template_was_revised(
    login: Any, dept_staff: Any
) -> None:
    client = login("ent_a_user")
    policy = template("policy")
    url = reverse("commitments:sign", kwargs={"pk": policy.pk})
    data = _sign_data(client, url)
    client.post(url, data)
    commitment = Commitment.objects.get()
    fields = ("scenario", "title", "body", "conditions", "period_months", "breach_severity", "public_default")
    template_revise(
        actor=dept_staff,
        template=policy,
        data={**{k: getattr(policy, k) for k in fields}, "period_months": 24},
    )
    # The old version is no longer signable (that page would answer 404), and the text of today
    # differs: the page sent again still lands on what it signed.
    again = client.post(url, data)
    assert again["Location"] == reverse("commitments:detail", kwargs={"pk": commitment.pk})
    assert Commitment.objects.count() == 1


def test_the_same_template_may_be_signed_again_from_a_new_page(login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("commitments:sign", kwargs={"pk": template("policy").pk})
    first, second = _sign_data(client, url), _sign_data(client, url, scope="2027 年研发费用补助")
    assert first["token"] != second["token"]
    client.post(url, first)
    client.post(url, second)
    assert sorted(Commitment.objects.values_list("scope", flat=True)) == [
        "2026 年研发费用补助",
        "2027 年研发费用补助",
    ]


def test_a_page_without_its_signing_token_signs_nothing(login: Any) -> None:
    client = login("ent_a_user")
    url = reverse("commitments:sign", kwargs={"pk": template("policy").pk})
    data = _sign_data(client, url)
    for token in ("", "not-a-token"):
        response = client.post(url, {**data, "token": token})
        assert response.status_code == 200
        assert "签署页面已失效,请点“返回修改”后重新阅读承诺书再签署" in response.content.decode()
    assert not Commitment.objects.exists()


def test_an_enterprise_cannot_sign_government_or_repair_templates_here(login: Any) -> None:
    client = login("ent_a_user")
    for code in ("government-policy", "repair"):
        assert client.get(reverse("commitments:sign", kwargs={"pk": template(code).pk})).status_code == 404
    mine = client.get(reverse("commitments:mine")).content.decode()
    assert "市场主体登记信用承诺书" in mine and "园区惠企政策兑现承诺书" not in mine


def test_a_department_signs_government_commitments_from_its_page(login: Any, park_admin: Any) -> None:
    client = login("park_admin")
    mine = client.get(reverse("commitments:mine")).content.decode()
    assert "园区惠企政策兑现承诺书" in mine and "市场主体登记信用承诺书" not in mine
    url = reverse("commitments:sign", kwargs={"pk": template("government-policy").pk})
    client.post(url, _sign_data(client, url, scope="2026 年度政策兑现"))
    commitment = Commitment.objects.get()
    assert commitment.organisation == park_admin.organisation and commitment.is_government


def test_the_public_list_needs_no_login_and_shows_only_public_commitments(
    client: Any, ent_a: Any, ent_a_user: Any, park_admin: Any
) -> None:
    shown = commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template("policy"), is_public=True)
    hidden = commitment_sign(
        actor=ent_a_user, enterprise=ent_a, template=template("construction"), is_public=False
    )
    government = commitment_sign(actor=park_admin, template=template("government-contract"))
    page = client.get(reverse("commitments:public")).content.decode()
    assert shown.number in page and government.number in page and hidden.number not in page
    only_government = client.get(reverse("commitments:public"), {"party": "government"}).content.decode()
    assert government.number in only_government and shown.number not in only_government
    detail = client.get(
        reverse("commitments:public_detail", kwargs={"number": shown.number})
    ).content.decode()
    assert shown.digest in detail and ent_a.name in detail
    assert str(ent_a_user) not in detail  # the signer is a person: not on public pages
    assert (
        client.get(reverse("commitments:public_detail", kwargs={"number": hidden.number})).status_code == 404
    )
    fragment = client.get(reverse("commitments:public"), {"q": ent_a.name}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and shown.number in fragment.content.decode()


def test_the_staff_list_filters_by_status_and_has_the_monthly_chart(
    login: Any, ent_a: Any, ent_a_user: Any, ent_b: Any, ent_b_user: Any, dept_staff: Any
) -> None:
    kept = commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template("policy"))
    broken = commitment_sign(actor=ent_b_user, enterprise=ent_b, template=template("policy"))
    commitment_breach_declare(actor=dept_staff, commitment=broken, reason="核查发现申报数据不实")
    client = login("inspector")
    response = client.get(reverse("commitments:list"), {"status": CommitmentStatus.BREACHED})
    page = response.content.decode()
    assert broken.number in page and kept.number not in page
    assert response.context["counts"] == {"in_force": 1, "fulfilled": 0, "breached": 1, "expired": 0}
    chart = response.context["chart"]
    assert chart["series"][0]["data"][-1] == 2  # both signed this month
    assert chart["series"][2]["data"][-1] == 1  # one breached this month
    assert "立即履约核查" not in page  # inspectors look, editors act


def test_staff_confirm_a_delivery_and_declare_a_breach_from_the_detail_page(
    login: Any, park_admin: Any, ent_a: Any, ent_a_user: Any
) -> None:
    government = commitment_sign(actor=park_admin, template=template("government-policy"))
    client = login("dept_staff")
    detail = reverse("commitments:detail", kwargs={"pk": government.pk})
    assert "确认完成" in client.get(detail).content.decode()
    client.post(
        reverse("commitments:deliver", kwargs={"pk": government.pk}), {"condition": 0, "on": date.today()}
    )
    assert government.events.filter(kind="delivered").exists()

    commitment = commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template("approval"))
    client.post(reverse("commitments:breach", kwargs={"pk": commitment.pk}), {"reason": "场地证明材料不实"})
    commitment.refresh_from_db()
    assert commitment.status == CommitmentStatus.BREACHED and commitment.breach_record is not None
    page = client.get(reverse("commitments:detail", kwargs={"pk": commitment.pk})).content.decode()
    assert "认定违诺" in page and "场地证明材料不实" in page


def test_templates_are_edited_as_new_versions(login: Any) -> None:
    client = login("park_admin")
    policy = template("policy")
    url = reverse("commitments:template_edit", kwargs={"pk": policy.pk})
    form = client.get(url).context["form"]
    data = {**form.initial, "public_default": "on", "note": "增加退回条款"}
    bad = client.post(url, {**data, "conditions": "[{"})
    assert "履约条件不是有效的 JSON" in bad.content.decode()
    unknown = client.post(url, {**data, "conditions": '[{"type": "no_record", "kinds": ["nope"]}]'})
    assert "记录类型「nope」不在信息资源目录中" in unknown.content.decode()
    client.post(url, {**data, "title": "惠企政策申报信用承诺书(2026 修订)"})
    current = template("policy")
    assert current.version == 2 and current.title.endswith("(2026 修订)")
    assert client.get(url).status_code == 404  # the old version is not editable any more
    listing = client.get(reverse("commitments:templates"), {"all": "1"}).content.decode()
    assert "第 1 版" in listing and "第 2 版" in listing


def test_a_new_template_from_the_page(login: Any) -> None:
    client = login("dept_staff")
    response = client.post(
        reverse("commitments:template_create"),
        {
            "code": "env-protection",
            "scenario": "construction",
            "title": "环境保护信用承诺书",
            "body": "{主体名称}承诺:\n{履约条件}",
            "conditions": json.dumps(
                [{"type": "no_record", "kinds": ["penalty", "park-env-violation"], "areas": ["污染"]}]
            ),
            "period_months": 12,
            "breach_severity": "general",
        },
    )
    assert response.status_code == 302
    assert template("env-protection").conditions[0]["areas"] == ["污染"]


def test_the_check_runs_as_a_job(login: Any, ent_a: Any, ent_a_user: Any) -> None:
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template("policy"))
    response = login("park_admin").post(reverse("commitments:check"))
    job = Job.objects.get(kind="commitments.check")
    assert response.url == reverse("jobs:detail", kwargs={"pk": job.pk})
    assert job.state == JobState.SUCCEEDED and job.result["checked"] == 1 and job.result["in_force"] == 1
    page = login("park_admin").get(response.url).content.decode()
    assert "核查承诺数" in page


def test_the_list_pages_do_not_query_per_row(
    login: Any,
    ent_a: Any,
    ent_a_user: Any,
    ent_b: Any,
    ent_b_user: Any,
    park_admin: Any,
) -> None:
    def measure(url: str, client: Any) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    staff = login("park_admin")
    public_url = reverse("commitments:public")
    staff_url = reverse("commitments:list")
    commitment_sign(actor=ent_a_user, enterprise=ent_a, template=template("policy"), is_public=True)
    measure(public_url, staff), measure(staff_url, staff)  # warm-up: the first request saves the session
    few = (measure(public_url, staff), measure(staff_url, staff))
    for user, enterprise in [(ent_a_user, ent_a), (ent_b_user, ent_b)] * 4:
        commitment_sign(actor=user, enterprise=enterprise, template=template("policy"), is_public=True)
    assert Commitment.objects.count() == 9
    # Nine rows cost the same number of queries as one: relations are joined, not fetched per row.
    assert (measure(public_url, staff), measure(staff_url, staff)) == few
