"""The record kind catalogue (信息资源目录) and the park metric catalogue, as plain data.

The national public credit information basic catalogue (全国公共信用信息基础目录, 2024 edition)
groups public credit information into ten categories; the park adds its own categories for what
it learns as landlord, utility and safety supervisor. The database `RecordKind` table is seeded
from `RECORD_KINDS`; the synthetic park generator draws records of every kind listed here.
A new source is a new entry here (or a row added by staff), not new code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Polarity(StrEnum):
    NEGATIVE = "negative"
    POSITIVE = "positive"
    NEUTRAL = "neutral"


class Severity(StrEnum):
    """Three levels of dishonesty information (经营主体失信信息分类指南: 轻微 / 一般 / 严重)."""

    MINOR = "minor"
    GENERAL = "general"
    SERIOUS = "serious"


class Category(StrEnum):
    # National catalogue categories (domain reference §4).
    REGISTRATION = "registration"  # 登记注册基本信息
    JUDICIAL = "judicial"  # 司法裁判及执行信息
    ADMINISTRATIVE = "administrative"  # 行政管理信息
    QUALIFICATION = "qualification"  # 职称和职业资格信息 / 资质
    OPERATIONS = "operations"  # 经营(活动)相关信息
    HONOURS = "honours"  # 诚实守信相关荣誉信息
    COMMITMENTS = "commitments"  # 信用承诺及履行情况信息
    EVALUATIONS = "evaluations"  # 信用评价结果信息
    SERIOUS_LIST = "serious_list"  # 严重失信主体名单信息
    OTHER_LAW = "other_law"  # 法律法规规定的其他信息
    # The park's own categories.
    PARK_OBLIGATIONS = "park_obligations"  # 园区履约
    PARK_SAFETY = "park_safety"  # 园区安全生产
    PARK_HONOURS = "park_honours"  # 园区表彰


CATEGORY_LABELS: dict[Category, str] = {
    Category.REGISTRATION: "登记注册基本信息",
    Category.JUDICIAL: "司法裁判及执行信息",
    Category.ADMINISTRATIVE: "行政管理信息",
    Category.QUALIFICATION: "资质资格信息",
    Category.OPERATIONS: "经营相关信息",
    Category.HONOURS: "诚实守信相关荣誉信息",
    Category.COMMITMENTS: "信用承诺及履行情况信息",
    Category.EVALUATIONS: "信用评价结果信息",
    Category.SERIOUS_LIST: "严重失信主体名单信息",
    Category.OTHER_LAW: "其他信息",
    Category.PARK_OBLIGATIONS: "园区履约信息",
    Category.PARK_SAFETY: "园区安全生产信息",
    Category.PARK_HONOURS: "园区表彰信息",
}

ALL_SEVERITIES = (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS)


@dataclass(frozen=True, slots=True)
class KindSpec:
    """One entry of the record kind catalogue.

    `publicity_rule` and `repair_rule` are keys into the repair rule sets (versioned by effective
    date); `payload_fields` lists the source fields kept with each record.
    """

    code: str
    name: str
    category: Category
    polarity: Polarity
    severities: tuple[Severity, ...] = ()
    has_amount: bool = False
    publicity_rule: str = ""
    repair_rule: str = ""
    payload_fields: tuple[str, ...] = ()
    description: str = ""


RECORD_KINDS: tuple[KindSpec, ...] = (
    KindSpec(
        "registration-change",
        "登记事项变更",
        Category.REGISTRATION,
        Polarity.NEUTRAL,
        payload_fields=("变更事项", "变更前", "变更后"),
    ),
    KindSpec(
        "court-defaulter",
        "失信被执行人",
        Category.JUDICIAL,
        Polarity.NEGATIVE,
        (Severity.SERIOUS,),
        has_amount=True,
        publicity_rule="court-defaulter",
        repair_rule="court-defaulter",
        payload_fields=("案号", "执行法院", "履行情况", "失信行为情形"),
    ),
    KindSpec(
        "court-enforcement",
        "被执行人信息",
        Category.JUDICIAL,
        Polarity.NEGATIVE,
        (Severity.GENERAL,),
        has_amount=True,
        payload_fields=("案号", "执行法院", "执行标的"),
    ),
    KindSpec(
        "penalty",
        "行政处罚",
        Category.ADMINISTRATIVE,
        Polarity.NEGATIVE,
        ALL_SEVERITIES,
        has_amount=True,
        publicity_rule="penalty",
        repair_rule="penalty",
        payload_fields=("违法行为类型", "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)"),
    ),
    KindSpec(
        "licence",
        "行政许可",
        Category.ADMINISTRATIVE,
        Polarity.NEUTRAL,
        payload_fields=(
            "行政许可决定文书名称",
            "许可类别",
            "许可证书名称",
            "许可编号",
            "许可内容",
            "有效期自",
            "有效期至",
        ),
    ),
    KindSpec(
        "administrative-enforcement",
        "行政强制",
        Category.ADMINISTRATIVE,
        Polarity.NEGATIVE,
        (Severity.GENERAL, Severity.SERIOUS),
        payload_fields=("强制措施", "强制依据"),
    ),
    KindSpec(
        "administrative-reward",
        "行政奖励",
        Category.ADMINISTRATIVE,
        Polarity.POSITIVE,
        payload_fields=("奖励名称", "奖励级别"),
    ),
    KindSpec(
        "inspection-result",
        "行政检查结果",
        Category.ADMINISTRATIVE,
        Polarity.NEUTRAL,
        payload_fields=("检查事项", "检查结果"),
    ),
    KindSpec(
        "certification",
        "资质认证",
        Category.QUALIFICATION,
        Polarity.POSITIVE,
        payload_fields=("资质名称", "资质等级", "有效期至"),
    ),
    KindSpec(
        "tax-credit-grade",
        "纳税信用等级",
        Category.OPERATIONS,
        Polarity.NEUTRAL,
        payload_fields=("评价年度", "纳税信用等级"),
    ),
    KindSpec(
        "tax-arrears",
        "欠税信息",
        Category.OPERATIONS,
        Polarity.NEGATIVE,
        (Severity.GENERAL, Severity.SERIOUS),
        has_amount=True,
        payload_fields=("欠税税种", "欠税余额"),
    ),
    KindSpec(
        "social-insurance-arrears",
        "社保欠费",
        Category.OPERATIONS,
        Polarity.NEGATIVE,
        (Severity.MINOR, Severity.GENERAL),
        has_amount=True,
        payload_fields=("欠费险种", "欠费月数"),
    ),
    KindSpec(
        "honour",
        "诚信荣誉",
        Category.HONOURS,
        Polarity.POSITIVE,
        payload_fields=("荣誉名称", "授予单位", "荣誉级别"),
    ),
    KindSpec(
        "red-list", "红名单", Category.HONOURS, Polarity.POSITIVE, payload_fields=("名单名称", "列入依据")
    ),
    KindSpec(
        "commitment-kept",
        "信用承诺履约",
        Category.COMMITMENTS,
        Polarity.POSITIVE,
        payload_fields=("承诺事项",),
    ),
    KindSpec(
        "commitment-breach",
        "违背信用承诺",
        Category.COMMITMENTS,
        Polarity.NEGATIVE,
        (Severity.GENERAL, Severity.SERIOUS),
        publicity_rule="commitment-breach",
        repair_rule="commitment-breach",
        payload_fields=("承诺事项", "违诺情形"),
    ),
    KindSpec(
        "env-credit-rating",
        "环境信用评价",
        Category.EVALUATIONS,
        Polarity.NEUTRAL,
        payload_fields=("评价年度", "评价等级"),
    ),
    KindSpec(
        "customs-credit-rating",
        "海关信用等级",
        Category.EVALUATIONS,
        Polarity.NEUTRAL,
        payload_fields=("认定日期", "信用等级"),
    ),
    KindSpec(
        "serious-dishonesty",
        "严重失信主体名单",
        Category.SERIOUS_LIST,
        Polarity.NEGATIVE,
        (Severity.SERIOUS,),
        publicity_rule="serious-dishonesty",
        repair_rule="serious-dishonesty",
        payload_fields=("列入名单", "列入事由", "列入机关"),
    ),
    KindSpec(
        "abnormal-operation",
        "经营异常名录",
        Category.OTHER_LAW,
        Polarity.NEGATIVE,
        (Severity.GENERAL,),
        publicity_rule="abnormal-operation",
        repair_rule="abnormal-operation",
        payload_fields=("列入事由", "列入机关", "移出事由"),
    ),
    KindSpec(
        "park-rent-arrears",
        "租金及费用逾期",
        Category.PARK_OBLIGATIONS,
        Polarity.NEGATIVE,
        (Severity.MINOR, Severity.GENERAL, Severity.SERIOUS),
        has_amount=True,
        payload_fields=("费用类型", "逾期天数"),
    ),
    KindSpec(
        "park-contract-breach",
        "入园协议违约",
        Category.PARK_OBLIGATIONS,
        Polarity.NEGATIVE,
        (Severity.GENERAL, Severity.SERIOUS),
        payload_fields=("协议条款", "违约情形"),
    ),
    KindSpec(
        "park-safety-hazard",
        "安全检查隐患",
        Category.PARK_SAFETY,
        Polarity.NEGATIVE,
        ALL_SEVERITIES,
        payload_fields=("检查日期", "隐患描述", "整改期限", "整改完成日期"),
    ),
    KindSpec(
        "park-env-violation",
        "园区环保问题",
        Category.PARK_SAFETY,
        Polarity.NEGATIVE,
        (Severity.MINOR, Severity.GENERAL),
        payload_fields=("问题描述", "整改要求"),
    ),
    KindSpec(
        "park-honour",
        "园区表彰",
        Category.PARK_HONOURS,
        Polarity.POSITIVE,
        payload_fields=("表彰名称", "表彰年度"),
    ),
)

KINDS_BY_CODE: dict[str, KindSpec] = {kind.code: kind for kind in RECORD_KINDS}


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """A park management time series (one `Observation` per enterprise, metric and period)."""

    code: str
    name: str
    unit: str
    is_bill: bool = False  # bills carry a due date and a settlement date


METRICS: tuple[MetricSpec, ...] = (
    MetricSpec("rent_bill", "房租账单", "元", is_bill=True),
    MetricSpec("fee_bill", "物业及服务费账单", "元", is_bill=True),
    MetricSpec("electricity", "用电量", "千瓦时"),
    MetricSpec("water", "用水量", "吨"),
    MetricSpec("gas", "用气量", "立方米"),
    MetricSpec("tax_paid", "纳税额", "元"),
    MetricSpec("output_value", "产值", "元"),
    MetricSpec("employees", "从业人数", "人"),
    MetricSpec("sales_revenue", "销售收入", "元"),
    MetricSpec("credit_sales", "赊销收入", "元"),
    MetricSpec("receivables", "应收账款余额", "元"),
    MetricSpec("safety_findings", "安全检查发现问题数", "项", is_bill=True),
)

METRICS_BY_CODE: dict[str, MetricSpec] = {metric.code: metric for metric in METRICS}


class RelationType(StrEnum):
    SUPPLIER = "supplier"  # the counterparty supplies this enterprise
    CUSTOMER = "customer"  # the counterparty buys from this enterprise
    GUARANTOR = "guarantor"  # the counterparty guarantees this enterprise's debt
    SHARED_CONTROLLER = "shared_controller"
    SHARED_PREMISES = "shared_premises"


RELATION_LABELS: dict[RelationType, str] = {
    RelationType.SUPPLIER: "供应商",
    RelationType.CUSTOMER: "客户",
    RelationType.GUARANTOR: "担保方",
    RelationType.SHARED_CONTROLLER: "同一实际控制人",
    RelationType.SHARED_PREMISES: "共用场所",
}
