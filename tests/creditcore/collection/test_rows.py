import random
from datetime import date
from decimal import Decimal

import pytest

from creditcore.catalogue import KINDS_BY_CODE, METRICS_BY_CODE, RelationType
from creditcore.collection.profiles import PARSERS, PROFILES, ColumnSpec, ImportProfile
from creditcore.collection.readers import SourceRow, open_table
from creditcore.collection.rows import (
    TARGET_FIELDS,
    ParsedRow,
    RowError,
    bind_headers,
    header_key,
    parse_row,
    penalty_severity,
)
from tests.creditcore.collection.make_samples import HENGDA, NAMES, ZHIZAO

PROFILE_NAMES = [
    "enterprise",
    "penalty",
    "licence",
    "court-defaulter",
    "abnormal-operation",
    "serious-dishonesty",
    "tax-grade",
    "honour",
    "rent",
    "utility",
    "safety-inspection",
    "statistics",
    "relation",
]


def parse(profile_name, values, number=2):
    profile = PROFILES[profile_name]
    binding = bind_headers(profile, list(values))
    return parse_row(profile, binding, SourceRow(number, dict(values)))


def ok(profile_name, values):
    result = parse(profile_name, values)
    assert isinstance(result, ParsedRow), result
    return result


def errors(profile_name, values):
    result = parse(profile_name, values)
    assert isinstance(result, list), result
    return result


PENALTY = {
    "行政相对人名称": NAMES[ZHIZAO],
    "统一社会信用代码": ZHIZAO,
    "行政处罚决定书文号": "郑高市监罚〔2023〕112号",
    "处罚类别": "罚款",
    "罚款金额(万元)": "0.2",
    "处罚决定日期": "2023-05-10",
    "处罚机关": "郑州高新区市场监督管理局",
}


class TestProfiles:
    def test_exactly_the_thirteen_names(self):
        assert list(PROFILES) == PROFILE_NAMES
        assert all(PROFILES[name].name == name for name in PROFILE_NAMES)

    @pytest.mark.parametrize("name", PROFILE_NAMES)
    def test_profile_is_consistent_with_the_catalogue(self, name):
        profile = PROFILES[name]
        assert profile.target in TARGET_FIELDS
        if profile.kind is not None:
            assert profile.kind in KINDS_BY_CODE
        for spec in profile.columns:
            assert spec.parser in PARSERS
            if spec.parser == "choice":
                assert spec.choices
            if spec.parser == "amount":
                assert spec.unit in ("yuan", "wan")
        fields = [spec.field for spec in profile.columns]
        assert len(fields) == len(set(fields)), "one column per field"
        owners: dict[str, str] = {}
        for spec in profile.columns:
            for header in (spec.label, *spec.aliases):
                assert owners.setdefault(header_key(header), spec.field) == spec.field, header
        if profile.target == "observation":
            metrics = set(profile.column("metric").choices.values()) if "metric" in fields else set()
            metrics |= {profile.defaults["metric"]} if "metric" in profile.defaults else set()
            assert metrics and metrics <= set(METRICS_BY_CODE)
        assert profile.description

    def test_column_lookup(self):
        assert PROFILES["penalty"].column("amount").unit == "wan"
        with pytest.raises(KeyError):
            PROFILES["penalty"].column("nope")
        assert "source_ref" in PROFILES["penalty"].required_fields

    def test_current_and_v1_codes_are_aliases(self):
        penalty = {n for spec in PROFILES["penalty"].columns for n in spec.aliases}
        assert {"CF_WSH", "CF_XDR_MC", "CF_XDR_SHXYM", "CF_NR_FK", "CF_JDRQ", "CF_CFJG", "CF_FRDB"} <= penalty
        assert {
            "CF_CFMC",
            "CF_CFLB1",
            "CF_CFLB2",
            "CF_FR",
            "CF_JG",
            "CF_XZJG",
            "CF_XDR_ZDM",
            "CF_XDR_GSDJ",
        } <= penalty
        licence = {n for spec in PROFILES["licence"].columns for n in spec.aliases}
        assert {"XK_WSH", "XK_XKWS", "XK_XKLB", "XK_YXQZ", "XK_YXQZI", "XK_XKJG", "XK_LYDW"} <= licence
        assert {"XK_XMMC", "XK_SPLB", "XK_XDR", "XK_FR", "XK_JZQ", "XK_XZJG", "XK_XDR_ZDM"} <= licence


class TestBinding:
    def test_headers_in_any_order_give_the_same_row(self):
        items = list(PENALTY.items())
        expected = ok("penalty", dict(items)).fields
        for seed in range(5):
            random.Random(seed).shuffle(items)
            assert ok("penalty", dict(items)).fields == expected

    def test_chinese_current_codes_and_v1_codes_agree(self):
        chinese = ok("penalty", PENALTY).fields
        codes = ok(
            "penalty",
            {
                "CF_XDR_MC": NAMES[ZHIZAO],
                "CF_XDR_SHXYM": ZHIZAO,
                "CF_WSH": "郑高市监罚〔2023〕112号",
                "CF_CFLB": "罚款",
                "CF_NR_FK": "0.2",
                "CF_JDRQ": "2023-05-10",
                "CF_CFJG": "郑州高新区市场监督管理局",
            },
        ).fields
        v1 = ok(
            "penalty",
            {
                "cf_xdr_mc": NAMES[ZHIZAO],
                "CF_XDR_SHXYM": ZHIZAO,
                "CF_WSH": "郑高市监罚〔2023〕112号",
                "CF_CFLB1": "罚款",
                "罚款金额（万元）": "0.2",
                "CF_JDRQ": "2023/05/10",
                "CF_XZJG": "郑州高新区市场监督管理局",
            },
        ).fields
        assert chinese == codes == v1
        assert chinese["amount"] == Decimal("2000.00")

    def test_unknown_columns_kept_in_payload(self):
        row = ok("penalty", {**PENALTY, "内部编号": " A-1 ", "经办人": "周　磊"})
        assert row.payload["内部编号"] == "A-1"
        assert row.payload["经办人"] == "周 磊"
        assert row.payload["罚款金额(万元)"] == "0.2"
        binding = bind_headers(PROFILES["penalty"], [*PENALTY, "内部编号"])
        assert binding.unknown == ["内部编号"]
        assert binding.ok

    def test_duplicate_headers_for_one_field(self):
        binding = bind_headers(PROFILES["penalty"], ["行政处罚决定书文号", "CF_WSH"])
        assert binding.fields["source_ref"] == "行政处罚决定书文号"
        assert binding.duplicates == ["CF_WSH"]

    def test_required_markers_and_spaces_in_headers(self):
        binding = bind_headers(PROFILES["penalty"], ["*行政处罚决定书文号", " 处罚 决定日期 "])
        assert set(binding.fields) == {"source_ref", "decided_on"}

    def test_missing_required_columns(self):
        values = {k: v for k, v in PENALTY.items() if k != "行政处罚决定书文号"}
        binding = bind_headers(PROFILES["penalty"], list(values))
        assert binding.missing == ["source_ref"]
        assert binding.missing_labels == ["行政处罚决定书文号"]
        assert not binding.ok
        assert errors("penalty", values) == [
            RowError(2, "行政处罚决定书文号", "", "缺少必填列“行政处罚决定书文号”")
        ]

    def test_header_unit_overrides_column_unit(self):
        row = ok("penalty", {**{k: v for k, v in PENALTY.items() if "罚款" not in k}, "罚款金额(元)": "2000"})
        assert row.fields["amount"] == Decimal("2000.00")

    def test_unknown_parser_is_a_programming_error(self):
        profile = ImportProfile(
            "x", "x", "record", "penalty", (ColumnSpec("summary", "摘要", parser="regex"),)
        )
        with pytest.raises(ValueError, match="unknown parser"):
            bind_headers(profile, ["摘要"])


class TestRowErrors:
    def test_missing_required_value(self):
        assert errors("penalty", {**PENALTY, "处罚决定日期": "  "}) == [
            RowError(2, "处罚决定日期", "", "“处罚决定日期”不能为空")
        ]

    def test_bad_date(self):
        (error,) = errors("penalty", {**PENALTY, "处罚决定日期": "2023-02-30"})
        assert (error.number, error.column, error.value) == (2, "处罚决定日期", "2023-02-30")
        assert "不存在" in error.reason

    def test_bad_amount(self):
        (error,) = errors("penalty", {**PENALTY, "罚款金额(万元)": "两千"})
        assert (error.column, error.value, error.reason) == ("罚款金额(万元)", "两千", "“两千”不是数值")

    def test_bad_uscc_gives_validator_reason(self):
        bad = ZHIZAO[:17] + ("0" if ZHIZAO[17] != "0" else "1")
        (error,) = errors("penalty", {**PENALTY, "统一社会信用代码": bad})
        assert error.column == "统一社会信用代码"
        assert error.value == bad
        assert "第18位校验码应为" in error.reason

    def test_bad_choice(self):
        (error,) = errors("tax-grade", {"统一社会信用代码": ZHIZAO, "评价年度": "2023", "纳税信用等级": "AA"})
        assert error.column == "纳税信用等级"
        assert "AA" in error.reason and "A、B、M、C、D" in error.reason

    def test_every_bad_cell_reported_at_once(self):
        found = errors(
            "penalty", {**PENALTY, "处罚决定日期": "x", "罚款金额(万元)": "-1", "行政处罚决定书文号": ""}
        )
        assert [e.column for e in found] == ["行政处罚决定书文号", "罚款金额(万元)", "处罚决定日期"]

    def test_no_subject(self):
        (error,) = errors("penalty", {**PENALTY, "统一社会信用代码": "", "行政相对人名称": ""})
        assert "不能同时为空" in error.reason

    def test_unreadable_source_row(self):
        profile = PROFILES["penalty"]
        binding = bind_headers(profile, list(PENALTY))
        result = parse_row(profile, binding, SourceRow(7, {}, error="第7行不是合法的 JSON", raw="{x"))
        assert result == [RowError(7, "整行", "{x", "第7行不是合法的 JSON")]

    def test_tax_grade_year_range(self):
        (error,) = errors("tax-grade", {"统一社会信用代码": ZHIZAO, "评价年度": "1999", "纳税信用等级": "A"})
        assert (error.column, error.value) == ("评价年度", "1999")

    def test_relation_dates_in_order(self):
        (error,) = errors(
            "relation",
            {
                "统一社会信用代码": ZHIZAO,
                "对方名称": "某公司",
                "关系类型": "客户",
                "起始日期": "2024-01-01",
                "终止日期": "2023-01-01",
            },
        )
        assert error.column == "终止日期" and "早于" in error.reason

    def test_relation_needs_counterparty(self):
        (error,) = errors("relation", {"统一社会信用代码": ZHIZAO, "关系类型": "客户"})
        assert "对方" in error.reason

    def test_observation_needs_metric_and_period_and_value(self):
        base = {"统一社会信用代码": ZHIZAO}
        assert errors("utility", {**base, "抄表月份": "2024-03", "用量": "1"})[0].reason == "缺少必填列“类型”"
        bare = ImportProfile(
            "x",
            "x",
            "observation",
            None,
            (
                ColumnSpec("uscc", "统一社会信用代码", parser="uscc"),
                ColumnSpec("period", "月份", parser="month"),
            ),
        )
        row = SourceRow(4, {"统一社会信用代码": ZHIZAO, "月份": "2024-03"})
        assert "指标" in parse_row(bare, bind_headers(bare, list(row.values)), row)[0].reason
        with_metric = ImportProfile("x", "x", "observation", None, bare.columns, defaults={"metric": "water"})
        assert "数值" in parse_row(with_metric, bind_headers(with_metric, list(row.values)), row)[0].reason
        no_period = SourceRow(5, {"统一社会信用代码": ZHIZAO})
        assert (
            "期间"
            in parse_row(with_metric, bind_headers(with_metric, ["统一社会信用代码"]), no_period)[0].reason
        )
        assert (
            errors("safety-inspection", {**base, "整改期限": "2024-03-01"})[0].reason
            == "缺少必填列“检查日期”"
        )
        assert "缺少必填列" in errors("rent", {**base, "费用类型": "房租"})[0].reason


class TestRecords:
    def test_penalty_fields(self):
        row = ok("penalty", {**PENALTY, "统一社会信用代码": "９１" + ZHIZAO[2:].lower()})
        assert row.target == "record" and row.kind == "penalty" and row.number == 2
        assert row.fields == {
            **row.fields,
            "uscc": ZHIZAO,
            "uscc_legacy": False,
            "subject_name": NAMES[ZHIZAO],
            "source_ref": "郑高市监罚〔2023〕112号",
            "decided_on": date(2023, 5, 10),
            "occurred_on": None,
            "severity": "general",
            "amount": Decimal("2000.00"),
            "authority": "郑州高新区市场监督管理局",
            "revoked": False,
            "kind": "penalty",
        }
        assert set(TARGET_FIELDS["record"]) <= set(row.fields)

    @pytest.mark.parametrize(
        ("category", "content", "severity"),
        [
            ("警告", "", "minor"),
            ("通报批评", "", "minor"),
            ("警告、罚款", "", "general"),
            ("罚款", "罚款2000元", "general"),
            ("吊销许可证件", "", "serious"),
            ("罚款", "罚款并责令停产停业", "serious"),
            ("", "", "general"),
        ],
    )
    def test_penalty_severity_presumed(self, category, content, severity):
        assert penalty_severity(category, "", content) == severity
        values = {**PENALTY, "处罚类别": category, "处罚内容": content}
        assert ok("penalty", values).fields["severity"] == severity

    def test_severity_column_wins(self):
        assert (
            ok("penalty", {**PENALTY, "处罚类别": "警告", "严重程度": "严重"}).fields["severity"] == "serious"
        )

    @pytest.mark.parametrize(
        ("column", "value", "revoked"),
        [
            ("当前状态", "已撤销", True),
            ("CF_ZT", "撤回", True),
            ("当前状态", "正常", False),
            ("是否撤销", "是", True),
        ],
    )
    def test_revoked(self, column, value, revoked):
        assert ok("penalty", {**PENALTY, column: value}).fields["revoked"] is revoked

    def test_court_defaulter_key_includes_subject(self):
        row = ok(
            "court-defaulter",
            {
                "被执行人名称": "某个体户",
                "案号": "(2024)豫0191执1号",
                "发布时间": "2024-05-06",
                "执行标的(元)": "186,500",
            },
        )
        assert row.fields["source_ref"] == "(2024)豫0191执1号|某个体户"
        assert row.fields["severity"] == "serious"
        assert row.fields["amount"] == Decimal("186500.00")

    def test_tax_grade_defaults(self):
        row = ok("tax-grade", {"纳税人识别号": ZHIZAO, "评价年度": "2023", "纳税信用等级": "b级"})
        assert row.kind == "tax-credit-grade"
        assert row.fields["grade"] == "B"
        assert row.fields["decided_on"] == date(2024, 4, 1)
        assert row.fields["source_ref"] == f"{ZHIZAO}|2023"
        assert row.fields["summary"] == "2023年度纳税信用等级 B"

    def test_honour_kind_by_column(self):
        base = {"统一社会信用代码": ZHIZAO, "荣誉名称": "海关高级认证企业", "授予日期": "2022-09-01"}
        assert ok("honour", base).kind == "honour"
        assert ok("honour", {**base, "类型": "红名单"}).kind == "red-list"
        assert ok("honour", {**base, "类型": ""}).kind == "honour"


class TestObservationsRelationsEnterprises:
    def test_rent_bill(self):
        row = ok(
            "rent",
            {
                "统一社会信用代码": HENGDA,
                "费用类型": "物业费",
                "账期": "2024年3月",
                "应缴金额(元)": "5,760",
                "到期日": "2024-03-10",
                "缴清日期": "",
            },
        )
        assert row.target == "observation" and row.kind is None
        assert (row.fields["metric"], row.fields["period"], row.fields["value"]) == (
            "fee_bill",
            date(2024, 3, 1),
            Decimal("5760.00"),
        )
        assert (row.fields["due_on"], row.fields["settled_on"]) == (date(2024, 3, 10), None)

    def test_safety_finding_defaults(self):
        row = ok(
            "safety-inspection", {"统一社会信用代码": HENGDA, "检查日期": "2024/4/2", "整改期限": "2024/4/16"}
        )
        assert row.fields["metric"] == "safety_findings"
        assert row.fields["period"] == date(2024, 4, 1)
        assert row.fields["value"] == Decimal(1)

    def test_statistics_long_layout(self):
        row = ok(
            "statistics",
            {"统一社会信用代码": ZHIZAO, "统计期": "202403", "指标": "纳税额", "数值": "65.3万元"},
        )
        assert (row.fields["metric"], row.fields["value"]) == ("tax_paid", Decimal("653000.00"))
        assert ok(
            "statistics", {"统一社会信用代码": ZHIZAO, "统计期": "202403", "指标": "employees", "数值": "236"}
        ).fields["value"] == Decimal(236)

    def test_relation(self):
        row = ok(
            "relation",
            {"统一社会信用代码": ZHIZAO, "对方统一社会信用代码": HENGDA.lower(), "关系类型": "担保方"},
        )
        assert row.fields["counterparty_uscc"] == HENGDA
        assert row.fields["relation_type"] == RelationType.GUARANTOR

    def test_enterprise(self):
        row = ok(
            "enterprise",
            {
                "统一社会信用代码": ZHIZAO,
                "企业名称": NAMES[ZHIZAO],
                "注册资本": "500万元人民币",
                "登记状态": "吊销,未注销",
                "成立日期": "2017年3月15日",
            },
        )
        assert row.target == "enterprise"
        assert row.fields["registered_capital"] == Decimal("5000000.00")
        assert row.fields["status"] == "revoked"
        assert row.fields["founded_on"] == date(2017, 3, 15)


def test_parse_from_a_real_table():
    text = (
        "统一社会信用代码,企业名称,类型,抄表月份,用量\n"
        + f'{ZHIZAO},甲,电,2024-03,"1,280.5"\n'
        + f"{ZHIZAO},甲,热,2024-03,1\n"
    )
    table = open_table(text.encode("gb18030"))
    profile = PROFILES["utility"]
    binding = bind_headers(profile, table.headers)
    first, second = (parse_row(profile, binding, row) for row in table.rows())
    assert first.fields["value"] == Decimal("1280.5")
    assert second[0].number == 3 and second[0].column == "类型" and second[0].value == "热"
