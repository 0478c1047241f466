"""The column tables of the thirteen import profiles.

Each column lists its Chinese header first, then other spellings and field codes: the current
信用中国 双公示 codes (CF_* for penalties, XK_* for licences) and the older 1.0 codes still sent by
local platforms (domain reference §3.2). Where a 1.0 code differs from the current one it is
listed after it, e.g. CF_FRDB (current) and CF_FR (1.0) both feed the legal representative.
"""

from __future__ import annotations

from creditcore.catalogue import METRICS, RELATION_LABELS
from creditcore.collection.profiles import ColumnSpec, ImportProfile

C = ColumnSpec

SEVERITY_CHOICES = {
    "轻微": "minor",
    "一般": "general",
    "严重": "serious",
    "较重": "serious",
    "minor": "minor",
    "general": "general",
    "serious": "serious",
}


def _subject(
    *,
    name_label: str,
    name_aliases: tuple[str, ...] = (),
    uscc_required: bool = False,
    uscc_aliases: tuple[str, ...] = (),
    name_required: bool = False,
) -> tuple[ColumnSpec, ...]:
    return (
        C(
            "uscc",
            "统一社会信用代码",
            ("社会信用代码", "信用代码", "USCC", *uscc_aliases),
            "uscc",
            required=uscc_required,
            help="18位统一社会信用代码,全角、小写、空格可自动纠正",
        ),
        C(
            "subject_name",
            name_label,
            tuple(n for n in ("企业名称", "主体名称", "单位名称", *name_aliases) if n != name_label),
            required=name_required,
        ),
    )


SEVERITY = C(
    "severity",
    "严重程度",
    ("失信等级", "失信严重程度", "信用等级分类"),
    "choice",
    choices=SEVERITY_CHOICES,
    help="轻微 / 一般 / 严重;填写后优先于系统推定",
)
REMARK = C("remark", "备注", ("BZ",))
REVOKED = C(
    "revoked", "是否撤销", ("撤销标志", "是否撤回", "已撤销"), "bool", help="是 / 否;为“是”时记为撤销"
)


PENALTY = ImportProfile(
    name="penalty",
    label="行政处罚(双公示)",
    target="record",
    kind="penalty",
    severity_rule="penalty",
    description="信用中国“双公示”行政处罚信息,兼容现行 CF_* 字段代码与 1.0 版字段代码。"
    "罚款金额按万元读取,单元格写明“元”或“万元”时以单元格为准。",
    columns=(
        *_subject(
            name_label="行政相对人名称",
            name_aliases=("CF_XDR_MC", "当事人名称", "被处罚单位"),
            uscc_aliases=("行政相对人代码_1(统一社会信用代码)", "行政相对人代码_1", "CF_XDR_SHXYM"),
        ),
        C("subject_category", "行政相对人类别", ("CF_XDR_LB",)),
        C(
            "registration_no",
            "工商注册号",
            ("行政相对人代码_2(工商注册号)", "行政相对人代码_2", "CF_XDR_GSZC", "CF_XDR_GSDJ"),
        ),
        C(
            "organisation_code",
            "组织机构代码",
            ("行政相对人代码_3(组织机构代码)", "行政相对人代码_3", "CF_XDR_ZZJG", "CF_XDR_ZDM"),
        ),
        C("tax_no", "税务登记号", ("行政相对人代码_4(税务登记号)", "行政相对人代码_4", "CF_XDR_SWDJ")),
        C("legal_representative", "法定代表人", ("CF_FRDB", "CF_FR")),
        C("source_ref", "行政处罚决定书文号", ("处罚决定书文号", "决定书文号", "CF_WSH"), required=True),
        C("case_name", "案件名称", ("处罚名称", "CF_CFMC", "CF_AJMC")),
        C("violation_type", "违法行为类型", ("CF_WFXW",)),
        C("summary", "违法事实", ("处罚事由", "CF_SY")),
        C("basis", "处罚依据", ("CF_YJ",)),
        C("category", "处罚类别", ("处罚类别1", "CF_CFLB", "CF_CFLB1")),
        C("category2", "处罚类别2", ("CF_CFLB2",)),
        C("content", "处罚内容", ("处罚结果", "CF_NR", "CF_JG")),
        C(
            "amount",
            "罚款金额(万元)",
            ("罚款金额", "罚款金额(元)", "CF_NR_FK"),
            "amount",
            unit="wan",
            help="默认单位万元;0.2 即 2000 元",
        ),
        C(
            "confiscated_amount",
            "没收违法所得、没收非法财物的金额(万元)",
            ("没收金额(万元)", "没收金额", "CF_NR_WFFF"),
            "amount",
            unit="wan",
        ),
        C("licence_suspended", "暂扣或吊销证照名称及编号", ("CF_NR_ZKDX",)),
        C("decided_on", "处罚决定日期", ("决定日期", "CF_JDRQ"), "date", required=True),
        C("valid_until", "处罚有效期", ("CF_YXQ",), "date"),
        C("publicity_until", "公示截止期", ("CF_GSJZQ",), "date"),
        C("authority", "处罚机关", ("CF_CFJG", "CF_XZJG")),
        C("authority_code", "处罚机关统一社会信用代码", ("CF_CFJGDM",)),
        C("data_source", "数据来源单位", ("CF_SJLY",)),
        C("data_source_code", "数据来源单位统一社会信用代码", ("CF_SJLYDM",)),
        C("status", "当前状态", ("状态", "CF_ZT"), help="填“撤销”“已撤销”“撤回”“无效”时记为撤销"),
        REVOKED,
        SEVERITY,
        C("usage_scope", "信息使用范围", ("CF_SYFW",)),
        C("area_code", "地方编码", ("DFBM",)),
        C("updated_at", "数据更新时间戳", ("SJC",)),
        REMARK,
    ),
)

LICENCE = ImportProfile(
    name="licence",
    label="行政许可(双公示)",
    target="record",
    kind="licence",
    description="信用中国“双公示”行政许可信息,兼容现行 XK_* 字段代码与 1.0 版字段代码。",
    columns=(
        *_subject(
            name_label="行政相对人名称",
            name_aliases=("XK_XDR_MC", "XK_XDR", "相对人名称"),
            uscc_aliases=("行政相对人代码_1(统一社会信用代码)", "行政相对人代码_1", "XK_XDR_SHXYM"),
        ),
        C("subject_category", "行政相对人类别", ("XK_XDR_LB",)),
        C("registration_no", "工商注册号", ("行政相对人代码_2(工商注册号)", "XK_XDR_GSZC", "XK_XDR_GSDJ")),
        C(
            "organisation_code",
            "组织机构代码",
            ("行政相对人代码_3(组织机构代码)", "XK_XDR_ZZJG", "XK_XDR_ZDM"),
        ),
        C("tax_no", "税务登记号", ("行政相对人代码_4(税务登记号)", "XK_XDR_SWDJ")),
        C("legal_representative", "法定代表人", ("XK_FRDB", "XK_FR")),
        C("document_name", "行政许可决定文书名称", ("XK_XKWS",)),
        C("source_ref", "行政许可决定文书号", ("许可决定文书号", "许可文书号", "XK_WSH"), required=True),
        C("project_name", "项目名称", ("XK_XMMC",)),
        C("category", "许可类别", ("审批类别", "XK_XKLB", "XK_SPLB")),
        C("certificate_name", "许可证书名称", ("XK_XKZS",)),
        C("licence_no", "许可编号", ("XK_XKBH",)),
        C("summary", "许可内容", ("XK_NR",)),
        C("decided_on", "许可决定日期", ("决定日期", "XK_JDRQ"), "date", required=True),
        C("valid_from", "有效期自", ("XK_YXQZ",), "date"),
        C("valid_to", "有效期至", ("截止期", "XK_YXQZI", "XK_JZQ"), "date"),
        C("authority", "许可机关", ("XK_XKJG", "XK_XZJG")),
        C("authority_code", "许可机关统一社会信用代码", ("XK_XKJGDM",)),
        C("status", "当前状态", ("状态", "XK_ZT"), help="填“撤销”“已撤销”“撤回”“无效”时记为撤销"),
        REVOKED,
        C("data_source", "数据来源单位", ("XK_LYDW",)),
        C("data_source_code", "数据来源单位统一社会信用代码", ("XK_LYDWDM",)),
        C("area_code", "地方编码", ("DFBM",)),
        C("updated_at", "数据更新时间戳", ("SJC",)),
        REMARK,
    ),
)

COURT_DEFAULTER = ImportProfile(
    name="court-defaulter",
    label="失信被执行人",
    target="record",
    kind="court-defaulter",
    key_fields=("source_ref", "uscc"),
    severity_rule="serious",
    description="人民法院失信被执行人名单。同一案号可有多个被执行人,来源编号为“案号|统一社会信用代码”。",
    columns=(
        *_subject(
            name_label="被执行人名称",
            name_aliases=("失信被执行人名称", "被执行人姓名/名称"),
            uscc_aliases=("组织机构代码/统一社会信用代码",),
        ),
        C("legal_representative", "法定代表人或负责人", ("法定代表人", "负责人")),
        C("source_ref", "案号", ("执行案号",), required=True),
        C("authority", "执行法院", ("法院",)),
        C("occurred_on", "立案时间", ("立案日期",), "date"),
        C("decided_on", "发布时间", ("发布日期", "公布日期", "列入日期"), "date", required=True),
        C("basis_no", "执行依据文号", ()),
        C("basis_authority", "做出执行依据单位", ("作出执行依据单位",)),
        C("summary", "生效法律文书确定的义务", ("法律文书确定的义务", "义务")),
        C("performance", "被执行人的履行情况", ("履行情况",)),
        C("behaviour", "失信被执行人行为具体情形", ("失信行为情形", "具体情形")),
        C("amount", "执行标的(元)", ("执行标的", "涉案金额(元)"), "amount", unit="yuan"),
        C("status", "当前状态", ("状态",), help="填“撤销”“已撤销”“撤回”“无效”时记为撤销"),
        REVOKED,
        REMARK,
    ),
)

ABNORMAL_OPERATION = ImportProfile(
    name="abnormal-operation",
    label="经营异常名录",
    target="record",
    kind="abnormal-operation",
    key_fields=("uscc", "decided_on"),
    severity_rule="general",
    description="市场监管部门经营异常名录(国家企业信用信息公示系统格式)。来源编号为“统一社会信用代码|列入日期”。",
    columns=(
        *_subject(name_label="企业名称", uscc_required=True),
        C("summary", "列入经营异常名录原因", ("列入原因", "列入事由"), required=True),
        C("decided_on", "列入日期", ("列入时间", "作出决定日期"), "date", required=True),
        C("authority", "作出决定机关(列入)", ("列入决定机关", "作出决定机关", "列入机关")),
        C("document_no", "列入决定书文号", ("决定书文号",)),
        C("removal_reason", "移出经营异常名录原因", ("移出原因", "移出事由")),
        C("removed_on", "移出日期", ("移出时间",), "date"),
        C("removal_authority", "作出决定机关(移出)", ("移出决定机关",)),
        REVOKED,
        REMARK,
    ),
)

SERIOUS_DISHONESTY = ImportProfile(
    name="serious-dishonesty",
    label="严重失信主体名单",
    target="record",
    kind="serious-dishonesty",
    key_fields=("uscc", "list_name", "decided_on"),
    severity_rule="serious",
    description="各部门认定的严重失信主体名单。来源编号为“统一社会信用代码|名单名称|列入日期”。",
    columns=(
        *_subject(name_label="主体名称", name_aliases=("失信主体名称", "当事人名称")),
        C("list_name", "列入名单名称", ("名单名称", "名单类型"), required=True),
        C("summary", "列入事由", ("列入原因", "失信行为"), required=True),
        C("basis", "列入依据", ()),
        C("authority", "认定部门", ("列入机关", "认定机关", "决定机关")),
        C("document_no", "决定文书号", ("列入决定书文号", "文书号")),
        C("decided_on", "列入日期", ("认定日期", "列入时间"), "date", required=True),
        C("valid_to", "有效期至", ("移出日期", "届满日期"), "date"),
        REVOKED,
        REMARK,
    ),
)

TAX_GRADE = ImportProfile(
    name="tax-grade",
    label="纳税信用等级",
    target="record",
    kind="tax-credit-grade",
    key_fields=("uscc", "year"),
    description="税务机关发布的纳税(缴费)信用等级。来源编号为“统一社会信用代码|评价年度”;"
    "未填评价日期时按次年4月1日(每年4月发布上年度结果)。",
    columns=(
        *_subject(name_label="纳税人名称", uscc_required=True, uscc_aliases=("纳税人识别号",)),
        C("year", "评价年度", ("年度", "评定年度"), "int", required=True),
        C(
            "grade",
            "纳税信用等级",
            ("信用等级", "等级", "评价结果"),
            "choice",
            required=True,
            choices={g: g for g in ("A", "B", "M", "C", "D")}
            | {f"{g}级": g for g in ("A", "B", "M", "C", "D")},
        ),
        C("decided_on", "评价日期", ("发布日期", "评定日期"), "date"),
        C("authority", "主管税务机关", ("税务机关", "评价机关")),
        REMARK,
    ),
)

HONOUR_KINDS = {
    "荣誉": "honour",
    "诚信荣誉": "honour",
    "表彰": "honour",
    "honour": "honour",
    "红名单": "red-list",
    "守信红名单": "red-list",
    "red-list": "red-list",
}

HONOUR = ImportProfile(
    name="honour",
    label="诚信荣誉与红名单",
    target="record",
    kind=None,
    key_fields=("uscc", "summary", "decided_on"),
    defaults={"kind": "honour"},
    description="诚信荣誉、表彰与守信红名单(正面信息)。“类型”列区分荣誉(honour)与红名单(red-list),"
    "未填时按荣誉。来源编号为“统一社会信用代码|荣誉名称|授予日期”。",
    columns=(
        *_subject(name_label="企业名称"),
        C("kind", "类型", ("信息类型", "荣誉类型"), "choice", choices=HONOUR_KINDS, help="荣誉 / 红名单"),
        C("summary", "荣誉名称", ("名单名称", "表彰名称"), required=True),
        C("level", "荣誉级别", ("级别",)),
        C("authority", "授予单位", ("认定部门", "授予机关", "发布单位")),
        C("decided_on", "授予日期", ("认定日期", "列入日期", "发布日期"), "date", required=True),
        C("valid_to", "有效期至", (), "date"),
        C("document_no", "文号", ("认定文号",)),
        REVOKED,
        REMARK,
    ),
)

_PARK_SUBJECT = _subject(name_label="企业名称", uscc_required=True)

RENT_METRICS = {
    "房租": "rent_bill",
    "租金": "rent_bill",
    "房屋租金": "rent_bill",
    "rent_bill": "rent_bill",
    "物业费": "fee_bill",
    "服务费": "fee_bill",
    "物业及服务费": "fee_bill",
    "物业服务费": "fee_bill",
    "fee_bill": "fee_bill",
}

RENT = ImportProfile(
    name="rent",
    label="租金及费用账单",
    target="observation",
    kind=None,
    key_fields=("source_ref",),
    description="园区房租、物业及服务费账单,含到期日与缴清日期。“费用类型”决定指标:房租 → rent_bill,"
    "物业费/服务费 → fee_bill。",
    columns=(
        *_PARK_SUBJECT,
        C("source_ref", "账单编号", ("账单号",)),
        C("metric", "费用类型", ("费用项目", "账单类型"), "choice", required=True, choices=RENT_METRICS),
        C("period", "账期", ("账单月份", "所属月份", "计费月份"), "month", required=True),
        C("value", "应缴金额(元)", ("应缴金额", "账单金额", "金额"), "amount", required=True, unit="yuan"),
        C("due_on", "到期日", ("缴费截止日", "应缴日期"), "date", required=True),
        C("settled_on", "缴清日期", ("实缴日期", "缴费日期"), "date", help="未缴清留空"),
        C("paid_amount", "实缴金额(元)", ("实缴金额",), "amount", unit="yuan"),
        C("building", "楼宇/房号", ("房号", "楼宇")),
        REMARK,
    ),
)

UTILITY_METRICS = {
    "电": "electricity",
    "用电": "electricity",
    "电量": "electricity",
    "用电量": "electricity",
    "electricity": "electricity",
    "水": "water",
    "用水": "water",
    "用水量": "water",
    "water": "water",
    "气": "gas",
    "燃气": "gas",
    "天然气": "gas",
    "用气量": "gas",
    "gas": "gas",
}

UTILITY = ImportProfile(
    name="utility",
    label="水电气抄表",
    target="observation",
    kind=None,
    description="园区水、电、燃气月度抄表用量。“类型”决定指标:电 → electricity(千瓦时),"
    "水 → water(吨),气 → gas(立方米)。同一企业同一指标同月只保留一条。",
    columns=(
        *_PARK_SUBJECT,
        C(
            "metric",
            "类型",
            ("能源类型", "表计类型", "抄表类型"),
            "choice",
            required=True,
            choices=UTILITY_METRICS,
        ),
        C("period", "抄表月份", ("所属月份", "月份", "账期"), "month", required=True),
        C("value", "用量", ("本月用量", "用量(千瓦时/吨/立方米)"), "decimal", required=True),
        C("meter_no", "表号", ("表计编号",)),
        C("source_ref", "抄表单号", ("读数编号",)),
        C("reading", "本期读数", ("读数",), "decimal"),
        REMARK,
    ),
)

SAFETY_INSPECTION = ImportProfile(
    name="safety-inspection",
    label="安全检查发现问题",
    target="observation",
    kind=None,
    defaults={"metric": "safety_findings", "value": 1},
    description="园区安全生产检查发现的问题,每行一项。写入指标 safety_findings 的观测值:期间为检查月份,"
    "到期日为整改期限,结清日为整改完成日期;问题数未填按 1。隐患描述等列保留在原始数据中。",
    columns=(
        *_PARK_SUBJECT,
        C("source_ref", "检查单号", ("检查编号", "问题编号")),
        C("inspected_on", "检查日期", ("检查时间",), "date", required=True),
        C("value", "问题数", ("发现问题数", "隐患数"), "int"),
        C("hazard", "隐患描述", ("问题描述", "发现问题")),
        SEVERITY,
        C("due_on", "整改期限", ("整改截止日期", "限期整改日期"), "date"),
        C("settled_on", "整改完成日期", ("整改日期", "复查合格日期"), "date"),
        C("inspector", "检查人", ("检查人员",)),
        REMARK,
    ),
)

STATISTICS_METRICS = {
    metric.name: metric.code
    for metric in METRICS
    if metric.code
    in {"tax_paid", "output_value", "employees", "sales_revenue", "credit_sales", "receivables"}
}
STATISTICS_METRICS |= {code: code for code in STATISTICS_METRICS.values()} | {
    "税收": "tax_paid",
    "纳税": "tax_paid",
    "工业总产值": "output_value",
    "从业人员": "employees",
    "员工人数": "employees",
    "营业收入": "sales_revenue",
    "应收账款": "receivables",
}

STATISTICS = ImportProfile(
    name="statistics",
    label="经营统计(纳税、产值、人数等)",
    target="observation",
    kind=None,
    description="企业月度经营统计,长表格式:每行一个企业、一个月份、一个指标。指标为纳税额、产值、从业人数、"
    "销售收入、赊销收入、应收账款余额之一(中文名或代码)。数值可带“万元”单位,将换算为元。",
    columns=(
        *_PARK_SUBJECT,
        C("period", "统计期", ("月份", "统计月份", "所属期"), "month", required=True),
        C("metric", "指标", ("指标名称", "统计指标"), "choice", required=True, choices=STATISTICS_METRICS),
        C(
            "value",
            "数值",
            ("指标值", "金额/人数"),
            "amount",
            required=True,
            unit="yuan",
            help="金额以元计,可写“万元”;人数直接填整数",
        ),
        C("source_ref", "报表编号", ()),
        REMARK,
    ),
)

RELATION_CHOICES = (
    {label: code.value for code, label in RELATION_LABELS.items()}
    | {code.value: code.value for code in RELATION_LABELS}
    | {"供货商": "supplier", "上游": "supplier", "下游": "customer", "担保": "guarantor"}
)

RELATION = ImportProfile(
    name="relation",
    label="供应商与客户关系",
    target="relation",
    kind=None,
    description="企业之间的供应商、客户、担保、同一实际控制人、共用场所关系。“关系类型”从本企业看对方。",
    columns=(
        *_PARK_SUBJECT,
        C("counterparty_uscc", "对方统一社会信用代码", ("对方信用代码", "关联方统一社会信用代码"), "uscc"),
        C("counterparty_name", "对方名称", ("关联方名称", "对方企业名称")),
        C("relation_type", "关系类型", ("关联类型",), "choice", required=True, choices=RELATION_CHOICES),
        C("weight", "占比", ("权重", "交易占比"), "decimal", help="0 到 1 之间的小数,如采购额占比"),
        C("valid_from", "起始日期", ("开始日期",), "date"),
        C("valid_to", "终止日期", ("结束日期",), "date"),
        REMARK,
    ),
)

ENTERPRISE_STATUS = {
    "存续": "operating",
    "在营": "operating",
    "开业": "operating",
    "存续(在营、开业、在册)": "operating",
    "在业": "operating",
    "停业": "suspended",
    "歇业": "suspended",
    "迁出": "moved_out",
    "注销": "cancelled",
    "吊销": "revoked",
    "吊销,未注销": "revoked",
    "吊销,已注销": "cancelled",
    "operating": "operating",
    "suspended": "suspended",
    "moved_out": "moved_out",
    "cancelled": "cancelled",
    "revoked": "revoked",
}

ENTERPRISE_SIZE = {
    "大型": "large",
    "中型": "medium",
    "小型": "small",
    "微型": "micro",
    "large": "large",
    "medium": "medium",
    "small": "small",
    "micro": "micro",
}

ENTERPRISE = ImportProfile(
    name="enterprise",
    label="登记注册基本信息",
    target="enterprise",
    kind=None,
    key_fields=("uscc",),
    description="企业登记注册基本信息(国家企业信用信息公示系统格式):新建或更新企业档案,变更保留历史。"
    "注册资本默认单位万元。",
    columns=(
        C("uscc", "统一社会信用代码", ("社会信用代码", "信用代码", "USCC"), "uscc", required=True),
        C("name", "企业名称", ("名称", "主体名称", "单位名称"), required=True),
        C("legal_representative", "法定代表人", ("法定代表人/负责人", "负责人", "经营者")),
        C(
            "registered_capital",
            "注册资本(万元)",
            ("注册资本", "注册资本(元)"),
            "amount",
            unit="wan",
            help="默认万元,可写“500万元人民币”",
        ),
        C("founded_on", "成立日期", ("注册日期",), "date"),
        C("company_type", "企业类型", ("类型", "主体类型")),
        C("registration_authority", "登记机关", ()),
        C("industry_code", "行业代码", ("国民经济行业代码",)),
        C("industry_name", "所属行业", ("行业名称", "行业")),
        C("address", "住所", ("地址", "经营地址", "注册地址")),
        C("business_scope", "经营范围", ()),
        C("status", "登记状态", ("经营状态", "企业状态"), "choice", choices=ENTERPRISE_STATUS),
        C("cluster", "产业集群", ()),
        C("size", "企业规模", (), "choice", choices=ENTERPRISE_SIZE),
        C("park_entry_on", "入园日期", (), "date"),
        C("approved_on", "核准日期", (), "date"),
    ),
)

ALL_PROFILES: tuple[ImportProfile, ...] = (
    ENTERPRISE,
    PENALTY,
    LICENCE,
    COURT_DEFAULTER,
    ABNORMAL_OPERATION,
    SERIOUS_DISHONESTY,
    TAX_GRADE,
    HONOUR,
    RENT,
    UTILITY,
    SAFETY_INSPECTION,
    STATISTICS,
    RELATION,
)
