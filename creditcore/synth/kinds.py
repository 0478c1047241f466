"""How often each record kind happens, how risk shifts it, and how its rows are worded.

Rates are per enterprise-year at the reference risk 0.3; `slope` bends them with latent risk r as
``rate * exp(slope * (r - 0.3))``: negative kinds rise with risk, positive kinds fall, and the two
gravest lists (court defaulters, serious dishonesty) have a steep slope so that they stay rare and
land almost only on the riskiest enterprises. Payload templates are filled with `str.format`
from the row (see `park.record_payload`); every kind's payload has exactly its catalogue fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from creditcore.catalogue import KINDS_BY_CODE, RECORD_KINDS, Severity
from creditcore.synth.vocab import CITY, COUNTY, COURT_CODE, PARK_NAME

REFERENCE_RISK = 0.3


@dataclass(frozen=True, slots=True)
class Source:
    """A family of data sources: one `DataSource` row in the database."""

    code: str
    name: str
    kind: str  # a DataSourceKind value


SOURCES: tuple[Source, ...] = (
    Source("demo-credit-henan", "河南省公共信用信息平台(演示)", "public_platform"),
    Source("demo-samr", f"{COUNTY}市场监督管理局(演示)", "department"),
    Source("demo-court", "人民法院执行信息公开(演示)", "court"),
    Source("demo-tax", f"国家税务总局{COUNTY}税务局(演示)", "department"),
    Source("demo-hrss", f"{COUNTY}人力资源和社会保障局(演示)", "department"),
    Source("demo-park", f"{PARK_NAME}管委会(演示)", "park"),
    Source("demo-utility", "园区水电气计量(演示)", "park"),
    Source("demo-report", "企业报送统计(演示)", "park"),
)
SOURCE_CODES = tuple(s.code for s in SOURCES)

# Which source family reports each metric.
METRIC_SOURCES: dict[str, str] = {
    "rent_bill": "demo-park",
    "fee_bill": "demo-park",
    "safety_findings": "demo-park",
    "electricity": "demo-utility",
    "water": "demo-utility",
    "gas": "demo-utility",
    "tax_paid": "demo-tax",
    "output_value": "demo-report",
    "employees": "demo-report",
    "sales_revenue": "demo-report",
    "credit_sales": "demo-report",
    "receivables": "demo-report",
}


@dataclass(frozen=True, slots=True)
class Authority:
    """Who decides a record, and how its document number is written: head + year + mid + serial."""

    name: str
    head: str
    mid: str = "〕"
    tail: str = "号"


def _doc(name: str, prefix: str) -> Authority:
    return Authority(name, f"{prefix}〔")


_COURT = f"{COUNTY}人民法院"
_COURT_CASE = Authority(_COURT, "（", f"）{COURT_CODE}执")
_SAMR = f"{COUNTY}市场监督管理局"
_ENV = f"{CITY}生态环境局{COUNTY}分局"
_SAFETY = f"{COUNTY}应急管理局"
_TAX = f"国家税务总局{COUNTY}税务局"
_PARK = f"{PARK_NAME}管理委员会"


@dataclass(frozen=True, slots=True)
class KindModel:
    """Generation parameters and wording of one record kind."""

    code: str
    mode: str  # "poisson" (rate per year), "annual" (one per year if eligible), "once"
    # Rate per year at the reference risk. Annual and one-off kinds happen to every eligible
    # enterprise (eligibility is an enterprise attribute: env_key, exporter), so theirs is 1.0.
    base: float
    slope: float = 0.0
    park_only: bool = False
    non_manufacturing: float = 1.0  # rate factor for non-manufacturing enterprises
    month: int = 0  # annual kinds: month of the decision
    gap: tuple[int, int] = (0, 0)  # occurred_on this many days (uniform) before decided_on
    amounts: tuple[tuple[float, float], ...] = ()  # (median yuan, log sigma) per severity
    size_scaled_amount: bool = False
    results: tuple[str, ...] = ()  # best to worst, drawn from risk plus noise
    cutoffs: tuple[float, ...] = ()  # risk-plus-noise thresholds between consecutive results
    summary_by_result: bool = False  # the summary (entry) follows the result, not chance
    # Tax grades: an enterprise founded in the year evaluated gets this result (M) instead.
    new_entrant_result: int = -1
    publicity: tuple[tuple[int, int], ...] = ()  # (min, max) days per severity, for repair events
    repair_share: float = 0.0
    source: str = "demo-credit-henan"
    authorities: tuple[Authority, ...] = ()
    payload: dict[str, str] = field(default_factory=dict)
    entries: tuple[dict[str, str], ...] = ()  # "_" is the summary; other keys override `payload`


def _doc_auth(*pairs: tuple[str, str]) -> tuple[Authority, ...]:
    return tuple(_doc(name, prefix) for name, prefix in pairs)


MODELS: tuple[KindModel, ...] = (
    KindModel(
        "registration-change", "poisson", 0.45, 1.0, source="demo-samr",
        authorities=(Authority(_SAMR, "(河)登记内变核字〔", "〕第"),),
        payload={"变更事项": "", "变更前": "", "变更后": ""},
        entries=(
            {"_": "法定代表人由{person1}变更为{person2}", "变更事项": "法定代表人变更",
             "变更前": "{person1}", "变更后": "{person2}"},
            {"_": "注册资本由{cap1}万元变更为{cap2}万元", "变更事项": "注册资本变更",
             "变更前": "{cap1}万元", "变更后": "{cap2}万元"},
            {"_": "经营范围增加技术服务、技术开发", "变更事项": "经营范围变更",
             "变更前": "生产、销售", "变更后": "生产、销售;技术服务、技术开发"},
            {"_": "住所迁入园区标准化厂房", "变更事项": "住所变更",
             "变更前": f"{COUNTY}产业路", "变更后": PARK_NAME},
            {"_": "股东及出资比例变更", "变更事项": "投资人(股权)变更",
             "变更前": "{person1}持股60%", "变更后": "{person2}持股60%"},
        ),
    ),
    KindModel(
        "court-defaulter", "poisson", 0.004, 9.0, gap=(60, 400), amounts=((6.0e5, 1.0),),
        publicity=((30, 730),), repair_share=0.5, source="demo-court", authorities=(_COURT_CASE,),
        payload={"案号": "{ref}", "执行法院": "{authority}", "履行情况": "全部未履行", "失信行为情形": ""},
        entries=(
            {"_": "有履行能力而拒不履行生效法律文书确定义务",
             "失信行为情形": "有履行能力而拒不履行生效法律文书确定义务"},
            {"_": "违反财产报告制度", "失信行为情形": "违反财产报告制度", "履行情况": "部分未履行"},
            {"_": "违反限制消费令", "失信行为情形": "违反限制消费令"},
            {"_": "以虚假诉讼、隐匿财产等方法规避执行", "失信行为情形": "以隐匿财产方法规避执行"},
        ),
    ),
    KindModel(
        "court-enforcement", "poisson", 0.04, 5.0, gap=(30, 300), amounts=((1.5e5, 1.1),),
        source="demo-court", authorities=(_COURT_CASE,),
        payload={"案号": "{ref}", "执行法院": "{authority}", "执行标的": "{amount}元"},
        entries=(
            {"_": "买卖合同纠纷案件被申请执行"},
            {"_": "借款合同纠纷案件被申请执行"},
            {"_": "劳动争议仲裁裁决被申请执行"},
            {"_": "建设工程施工合同纠纷案件被申请执行"},
        ),
    ),
    KindModel(
        "penalty", "poisson", 0.22, 3.5, gap=(10, 120),
        amounts=((3.0e3, 0.7), (3.0e4, 0.8), (2.5e5, 0.8)),
        # 处罚类别 (Administrative Penalty Law Art. 9); drawn per severity in records.PENALTY_RESULTS.
        results=("警告", "罚款", "没收违法所得、罚款", "责令停产停业", "吊销许可证件"),
        publicity=((0, 90), (90, 365), (365, 1095)), repair_share=0.7,
        authorities=_doc_auth((_SAMR, "河市监罚"), (_ENV, "中环罚(河)"), (_SAFETY, "河应急罚"),
                              (f"{COUNTY}消防救援大队", "河消行罚决字"), (_TAX, "河税罚")),
        payload={"违法行为类型": "", "违法事实": "{summary}", "处罚依据": "", "处罚类别": "{result}",
                 "处罚内容": "{penalty_content}", "罚款金额(万元)": "{amount_wan}"},
        entries=(
            {"_": "未按规定报送年度报告且逾期未改正", "违法行为类型": "违反企业信息公示规定",
             "处罚依据": "《企业信息公示暂行条例》第十八条"},
            {"_": "生产的产品经抽查不合格", "违法行为类型": "产品质量违法",
             "处罚依据": "《中华人民共和国产品质量法》第四十九条"},
            {"_": "未按规定设置危险废物识别标志", "违法行为类型": "固体废物污染环境违法",
             "处罚依据": "《中华人民共和国固体废物污染环境防治法》第一百一十二条"},
            {"_": "大气污染防治设施未正常运行", "违法行为类型": "大气污染违法",
             "处罚依据": "《中华人民共和国大气污染防治法》第一百零八条"},
            {"_": "未对安全设备进行经常性维护保养", "违法行为类型": "安全生产违法",
             "处罚依据": "《中华人民共和国安全生产法》第九十九条"},
            {"_": "消防设施未保持完好有效", "违法行为类型": "消防违法",
             "处罚依据": "《中华人民共和国消防法》第六十条"},
            {"_": "未按规定期限办理纳税申报", "违法行为类型": "税收征管违法",
             "处罚依据": "《中华人民共和国税收征收管理法》第六十二条"},
            {"_": "特种设备未经定期检验继续使用", "违法行为类型": "特种设备安全违法",
             "处罚依据": "《中华人民共和国特种设备安全法》第八十四条"},
        ),
    ),
    KindModel(
        "licence", "poisson", 0.7, 0.0,
        authorities=_doc_auth((_SAMR, "河市监许"), (_ENV, "中环审(河)"), (_SAFETY, "河应急许"),
                              (f"{COUNTY}住房和城乡建设局", "河建许")),
        payload={"行政许可决定文书名称": "", "许可类别": "普通", "许可证书名称": "", "许可编号": "{ref}",
                 "许可内容": "", "有效期自": "{date}", "有效期至": "{plus5y}"},
        entries=(
            {"_": "核发排污许可证", "行政许可决定文书名称": "排污许可证核发决定书",
             "许可证书名称": "排污许可证", "许可内容": "排放大气污染物、水污染物"},
            {"_": "核发全国工业产品生产许可证", "行政许可决定文书名称": "准予行政许可决定书",
             "许可证书名称": "全国工业产品生产许可证", "许可内容": "生产许可"},
            {"_": "特种设备使用登记", "行政许可决定文书名称": "特种设备使用登记决定书",
             "许可类别": "登记", "许可证书名称": "特种设备使用登记证", "许可内容": "起重机械使用登记"},
            {"_": "建设工程规划许可", "行政许可决定文书名称": "建设工程规划许可决定书",
             "许可证书名称": "建设工程规划许可证", "许可内容": "厂房扩建"},
            {"_": "危险化学品经营许可", "行政许可决定文书名称": "准予行政许可决定书",
             "许可类别": "特许", "许可证书名称": "危险化学品经营许可证",
             "许可内容": "危险化学品经营(不带储存)"},
        ),
    ),
    KindModel(
        "administrative-enforcement", "poisson", 0.015, 5.0, gap=(1, 30),
        authorities=_doc_auth((_SAMR, "河市监强"), (_ENV, "中环强(河)"), (_TAX, "河税强")),
        payload={"强制措施": "", "强制依据": "《中华人民共和国行政强制法》第九条"},
        entries=(
            {"_": "查封涉嫌违法生产的场所和设备", "强制措施": "查封场所、设施或者财物"},
            {"_": "扣押涉嫌不合格产品", "强制措施": "扣押财物"},
            {"_": "冻结存款用于缴纳欠缴税款", "强制措施": "冻结存款、汇款",
             "强制依据": "《中华人民共和国税收征收管理法》第四十条"},
        ),
    ),
    KindModel(
        "administrative-reward", "poisson", 0.06, -3.0,
        authorities=_doc_auth((f"{COUNTY}人民政府", "河政奖"), (f"{CITY}人民政府", "中政奖")),
        payload={"奖励名称": "", "奖励级别": "县级"},
        entries=(
            {"_": "获评安全生产先进单位", "奖励名称": "安全生产先进单位"},
            {"_": "获评工业经济突出贡献企业", "奖励名称": "工业经济突出贡献企业", "奖励级别": "市级"},
            {"_": "获评科技创新先进企业", "奖励名称": "科技创新先进企业"},
        ),
    ),
    KindModel(
        "inspection-result", "poisson", 0.6, 1.2, source="demo-samr",
        results=("未发现问题", "发现问题,已责令整改", "发现问题,已立案查处"), cutoffs=(0.45, 0.8),
        summary_by_result=True,
        authorities=_doc_auth((_SAMR, "河市监查"), (_ENV, "中环查(河)"), (_SAFETY, "河应急查")),
        payload={"检查事项": "", "检查结果": "{result}"},
        entries=(
            {"_": "双随机抽查未发现问题", "检查事项": "企业公示信息抽查"},
            {"_": "双随机抽查发现问题,已责令限期整改", "检查事项": "产品质量监督抽查"},
            {"_": "双随机抽查发现问题,已立案查处", "检查事项": "安全生产监督检查"},
        ),
    ),
    KindModel(
        "certification", "poisson", 0.3, -2.0,
        authorities=(Authority("中国质量认证中心", "CQC", "", ""),
                     Authority("方圆标志认证集团", "CQM", "", ""),
                     Authority(_SAFETY, "豫AQBJX", "", "")),
        payload={"资质名称": "", "资质等级": "—", "有效期至": "{plus3y}"},
        entries=(
            {"_": "通过ISO 9001质量管理体系认证", "资质名称": "ISO 9001质量管理体系认证"},
            {"_": "通过ISO 14001环境管理体系认证", "资质名称": "ISO 14001环境管理体系认证"},
            {"_": "通过ISO 45001职业健康安全管理体系认证", "资质名称": "ISO 45001职业健康安全管理体系认证"},
            {"_": "安全生产标准化三级企业", "资质名称": "安全生产标准化企业", "资质等级": "三级"},
            {"_": "通过知识产权管理体系认证", "资质名称": "知识产权管理体系认证"},
        ),
    ),
    KindModel(
        "tax-credit-grade", "annual", 1.0, month=4, source="demo-tax", new_entrant_result=4,
        results=("A", "B", "C", "D", "M"), cutoffs=(0.2, 0.5, 0.75), summary_by_result=True,
        authorities=(_doc(_TAX, "河税信"),),
        payload={"评价年度": "{prev_year}", "纳税信用等级": "{result}"},
        entries=(
            {"_": "纳税信用等级评定为A级"},
            {"_": "纳税信用等级评定为B级"},
            {"_": "纳税信用等级评定为C级"},
            {"_": "纳税信用等级评定为D级"},
            {"_": "纳税信用等级评定为M级(新设立企业)"},
        ),
    ),
    KindModel(
        "tax-arrears", "poisson", 0.03, 5.0, gap=(30, 180), amounts=((5.0e4, 1.0), (6.0e5, 0.9)),
        size_scaled_amount=True, source="demo-tax", authorities=(_doc(_TAX, "河税欠"),),
        payload={"欠税税种": "", "欠税余额": "{amount}"},
        entries=(
            {"_": "欠缴增值税", "欠税税种": "增值税"},
            {"_": "欠缴企业所得税", "欠税税种": "企业所得税"},
            {"_": "欠缴城镇土地使用税", "欠税税种": "城镇土地使用税"},
            {"_": "欠缴房产税", "欠税税种": "房产税"},
        ),
    ),
    KindModel(
        "social-insurance-arrears", "poisson", 0.05, 4.0, gap=(60, 180),
        amounts=((1.5e4, 0.8), (8.0e4, 0.8)), size_scaled_amount=True, source="demo-hrss",
        authorities=(_doc(f"{COUNTY}社会保险中心", "河社保欠"),),
        payload={"欠费险种": "", "欠费月数": "{months}"},
        entries=(
            {"_": "欠缴企业职工基本养老保险费", "欠费险种": "企业职工基本养老保险"},
            {"_": "欠缴失业保险费", "欠费险种": "失业保险"},
            {"_": "欠缴工伤保险费", "欠费险种": "工伤保险"},
        ),
    ),
    KindModel(
        "honour", "poisson", 0.08, -3.0,
        authorities=_doc_auth((f"{CITY}市场监督管理局", "中市监荣"), (f"{COUNTY}人民政府", "河政荣")),
        payload={"荣誉名称": "", "授予单位": "{authority}", "荣誉级别": "市级"},
        entries=(
            {"_": "获评守合同重信用企业", "荣誉名称": "守合同重信用企业"},
            {"_": "获评诚信纳税企业", "荣誉名称": "诚信纳税企业", "荣誉级别": "县级"},
            {"_": "获评诚信经营示范单位", "荣誉名称": "诚信经营示范单位"},
        ),
    ),
    KindModel(
        "red-list", "poisson", 0.04, -4.0,
        authorities=_doc_auth(("河南省发展和改革委员会", "豫信红"), (_TAX, "河税红")),
        payload={"名单名称": "", "列入依据": ""},
        entries=(
            {"_": "列入A级纳税人名单", "名单名称": "A级纳税人名单", "列入依据": "纳税信用评价结果"},
            {"_": "列入守信激励对象名单", "名单名称": "守信激励对象名单", "列入依据": "连续三年无失信记录"},
        ),
    ),
    KindModel(
        "commitment-kept", "poisson", 0.45, -2.0,
        authorities=_doc_auth((_SAMR, "河市监诺"), (_PARK, "河开诺")),
        payload={"承诺事项": ""},
        entries=(
            {"_": "行政许可告知承诺按期履行", "承诺事项": "行政许可告知承诺"},
            {"_": "入园投资强度承诺如期兑现", "承诺事项": "入园投资强度承诺"},
            {"_": "安全生产承诺履行良好", "承诺事项": "安全生产承诺"},
        ),
    ),
    KindModel(
        "commitment-breach", "poisson", 0.015, 5.0, gap=(30, 365),
        publicity=((90, 365), (365, 1095)), repair_share=0.5,
        authorities=_doc_auth((_SAMR, "河市监违诺"), (_PARK, "河开违诺")),
        payload={"承诺事项": "", "违诺情形": ""},
        entries=(
            {"_": "未按承诺期限补齐许可申请材料", "承诺事项": "行政许可告知承诺",
             "违诺情形": "承诺期满未补齐材料"},
            {"_": "投资强度未达到入园承诺标准", "承诺事项": "入园投资强度承诺",
             "违诺情形": "实际投资强度低于承诺值"},
            {"_": "信用修复承诺后再次发生同类违法行为", "承诺事项": "信用修复承诺",
             "违诺情形": "承诺期内再次违法"},
        ),
    ),
    KindModel(
        "env-credit-rating", "annual", 1.0, month=6,
        results=("环保诚信企业", "环保良好企业", "环保警示企业", "环保不良企业"), cutoffs=(0.2, 0.5, 0.75),
        summary_by_result=True, authorities=(_doc(f"{CITY}生态环境局", "中环信"),),
        payload={"评价年度": "{prev_year}", "评价等级": "{result}"},
        entries=(
            {"_": "环境信用评价为环保诚信企业(绿牌)"},
            {"_": "环境信用评价为环保良好企业(蓝牌)"},
            {"_": "环境信用评价为环保警示企业(黄牌)"},
            {"_": "环境信用评价为环保不良企业(红牌)"},
        ),
    ),
    KindModel(
        "customs-credit-rating", "once", 1.0,
        results=("高级认证企业", "常规企业", "失信企业"), cutoffs=(0.12, 0.7), summary_by_result=True,
        authorities=(_doc(f"{CITY}海关", "中关信"),),
        payload={"认定日期": "{date}", "信用等级": "{result}"},
        entries=(
            {"_": "海关认定为高级认证企业"},
            {"_": "海关信用等级为常规企业"},
            {"_": "海关认定为失信企业"},
        ),
    ),
    KindModel(
        "serious-dishonesty", "poisson", 0.002, 10.0, gap=(30, 200),
        publicity=((365, 1095),), repair_share=0.4,
        authorities=_doc_auth((f"{CITY}市场监督管理局", "中市监严"), (_TAX, "河税严"),
                              (_SAFETY, "河应急严")),
        payload={"列入名单": "", "列入事由": "", "列入机关": "{authority}"},
        entries=(
            {"_": "因受到较重行政处罚被列入严重违法失信名单", "列入名单": "严重违法失信名单",
             "列入事由": "实施危害安全生产的违法行为受到较重行政处罚"},
            {"_": "被列为重大税收违法失信主体", "列入名单": "重大税收违法失信主体名单",
             "列入事由": "逃避缴纳税款且数额较大"},
            {"_": "被列入安全生产严重失信主体名单", "列入名单": "安全生产严重失信主体名单",
             "列入事由": "发生生产安全责任事故"},
        ),
    ),
    KindModel(
        "abnormal-operation", "poisson", 0.03, 5.0, gap=(1, 60), publicity=((30, 1095),),
        repair_share=0.8, source="demo-samr", authorities=(_doc(_SAMR, "河市监异"),),
        payload={"列入事由": "", "列入机关": "{authority}", "移出事由": ""},
        entries=(
            {"_": "未依照规定期限公示年度报告", "列入事由": "未依照规定期限公示年度报告"},
            {"_": "通过登记的住所或者经营场所无法联系", "列入事由": "通过登记的住所或者经营场所无法联系"},
            {"_": "公示企业信息隐瞒真实情况、弄虚作假", "列入事由": "公示企业信息隐瞒真实情况、弄虚作假"},
        ),
    ),
    KindModel(
        "park-rent-arrears", "poisson", 0.12, 5.0, park_only=True, gap=(20, 200),
        amounts=((2.0e4, 0.8), (6.0e4, 0.8), (1.5e5, 0.8)), size_scaled_amount=True,
        source="demo-park", authorities=(_doc(_PARK, "河开管租"),),
        payload={"费用类型": "", "逾期天数": "{days}"},
        entries=(
            {"_": "厂房租金逾期未缴", "费用类型": "厂房租金"},
            {"_": "物业服务费逾期未缴", "费用类型": "物业服务费"},
            {"_": "代收水电费逾期未缴", "费用类型": "水电费"},
        ),
    ),
    KindModel(
        "park-contract-breach", "poisson", 0.015, 5.0, park_only=True, gap=(30, 365),
        source="demo-park", authorities=(_doc(_PARK, "河开管约"),),
        payload={"协议条款": "", "违约情形": ""},
        entries=(
            {"_": "亩均税收未达入园协议约定", "协议条款": "亩均税收条款", "违约情形": "连续两年低于约定标准"},
            {"_": "项目建设进度滞后于协议约定", "协议条款": "建设进度条款", "违约情形": "逾期未竣工投产"},
            {"_": "擅自转租厂房", "协议条款": "厂房使用条款", "违约情形": "未经同意转租"},
        ),
    ),
    KindModel(
        "park-safety-hazard", "poisson", 0.9, 2.0, park_only=True, non_manufacturing=0.35,
        source="demo-park", authorities=(_doc(_PARK, "河开安检"),),
        payload={"检查日期": "{date}", "隐患描述": "{summary}", "整改期限": "{deadline}", "整改完成日期": ""},
        entries=(
            {"_": "车间安全通道堆放物料"},
            {"_": "灭火器过期未更换"},
            {"_": "配电箱未设置防护门"},
            {"_": "危险化学品储存未分类分隔"},
            {"_": "特种作业人员未持证上岗"},
            {"_": "粉尘作业场所通风除尘设施缺失"},
        ),
    ),
    KindModel(
        "park-env-violation", "poisson", 0.08, 3.0, park_only=True, non_manufacturing=0.2, gap=(0, 10),
        source="demo-park", authorities=(_doc(_PARK, "河开环"),),
        payload={"问题描述": "{summary}", "整改要求": ""},
        entries=(
            {"_": "雨污管网混接", "整改要求": "30日内完成雨污分流改造"},
            {"_": "露天堆放易起尘物料", "整改要求": "立即苫盖并建设封闭料棚"},
            {"_": "危险废物暂存间未防渗", "整改要求": "15日内完成防渗改造"},
        ),
    ),
    KindModel(
        "park-honour", "poisson", 0.08, -3.0, park_only=True, source="demo-park",
        authorities=(_doc(_PARK, "河开表"),),
        payload={"表彰名称": "", "表彰年度": "{year}"},
        entries=(
            {"_": "获评年度纳税贡献奖", "表彰名称": "纳税贡献奖"},
            {"_": "获评科技创新先进企业", "表彰名称": "科技创新先进企业"},
            {"_": "获评安全生产先进企业", "表彰名称": "安全生产先进企业"},
            {"_": "获评优秀入园企业", "表彰名称": "优秀入园企业"},
        ),
    ),
)  # fmt: skip

MODELS_BY_CODE: dict[str, KindModel] = {m.code: m for m in MODELS}
KIND_CODES: tuple[str, ...] = tuple(m.code for m in MODELS)

# Severity probabilities as functions of risk are in records._severity; the publicity table
# indexes by the position of the severity within the kind's catalogue severities.
SEVERITY_CODES: tuple[str, ...] = ("", *(s.value for s in Severity))


def _check() -> None:
    """The generator draws every catalogue kind, with wording for exactly its payload fields."""
    catalogue = {spec.code for spec in RECORD_KINDS}
    if set(MODELS_BY_CODE) != catalogue:  # pragma: no cover - guards catalogue edits
        raise RuntimeError(f"合成园区的记录类型与目录不一致:{sorted(set(MODELS_BY_CODE) ^ catalogue)}")
    for model in MODELS:
        spec = KINDS_BY_CODE[model.code]
        fields = set(model.payload)
        if fields != set(spec.payload_fields) or any(set(e) - {"_"} - fields for e in model.entries):
            raise RuntimeError(f"记录类型 {model.code} 的信息项与目录不一致")  # pragma: no cover
        if spec.has_amount and len(model.amounts) != len(spec.severities):
            raise RuntimeError(f"记录类型 {model.code} 的金额参数与失信程度不一致")  # pragma: no cover


_check()
