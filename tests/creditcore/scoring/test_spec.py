"""Spec loading, validation errors with their paths, dump/load round trip and diff."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from creditcore.scoring.spec import (
    DEFAULT_MODEL_PATH,
    CappedLinear,
    Piecewise,
    SpecError,
    dump_spec,
    load_default_spec,
    load_spec,
    spec_diff,
)


def default_data() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


def problems_of(data: Any) -> dict[str, str]:
    with pytest.raises(SpecError) as info:
        load_spec(yaml.safe_dump(data, allow_unicode=True))
    return {p.path: p.message for p in info.value.problems}


def test_default_model_loads_with_about_thirty_indicators_in_five_dimensions():
    spec = load_default_spec()
    assert spec.name == "园区企业信用评价模型"
    assert len(spec.dimensions) == 5
    assert 28 <= len(spec.indicators) <= 40
    assert spec.base_score + sum(i.max_points for i in spec.indicators) == 1000
    assert {b.grade: b.colour for b in spec.bands} == {"A": "green", "B": "yellow", "C": "red", "D": "black"}
    assert {v.code for v in spec.vetoes} == {"serious_dishonesty", "court_defaulter"}
    for ind in spec.indicators:
        assert ind.explanation and ind.basis, ind.code
        assert ind.dimension in {d.code for d in spec.dimensions}


def test_dump_then_load_gives_an_equal_spec():
    spec = load_default_spec()
    assert load_spec(dump_spec(spec)) == spec


def test_spec_diff_names_changed_leaves_by_code():
    a = load_default_spec()
    data = default_data()
    data["bands"][0]["min_score"] = 860
    data["bands"][1]["max_score"] = 859
    data["dimensions"][0]["indicators"][0]["explanation"] = "改过了"
    b = load_spec(yaml.safe_dump(data, allow_unicode=True))
    diff = spec_diff(a, b)
    assert "修改 bands[A].min_score: 850 → 860" in diff
    assert "修改 bands[B].max_score: 849 → 859" in diff
    assert any(line.startswith("修改 dimensions[basic].indicators[age_years].explanation") for line in diff)
    assert len(diff) == 3
    assert spec_diff(a, a) == []


def test_spec_diff_reports_added_and_removed_items():
    a = load_default_spec()
    data = default_data()
    data["caps"].pop()
    b = load_spec(yaml.safe_dump(data, allow_unicode=True))
    diff = spec_diff(a, b)
    assert diff and all(line.startswith("删除 caps[serious_tax_arrears]") for line in diff)
    assert all(line.startswith("新增") for line in spec_diff(b, a))


def test_yaml_syntax_error_is_a_spec_error():
    with pytest.raises(SpecError) as info:
        load_spec("code: [unclosed")
    assert "YAML" in info.value.problems[0].message


def test_unknown_record_kind_is_reported_with_its_path():
    data = default_data()
    data["dimensions"][2]["indicators"][4]["kinds"] = ["park-rent-arrears", "no-such-kind"]
    problems = problems_of(data)
    assert problems == {
        "dimensions[2].indicators[4].kinds[1]": "未知的记录类型「no-such-kind」(不在信息资源目录中)"
    }


def test_unknown_kind_in_vetoes_and_caps():
    data = default_data()
    data["vetoes"][0]["kinds"] = ["blacklist"]
    data["caps"][1]["kinds"] = ["penalty", "oops"]
    problems = problems_of(data)
    assert set(problems) == {"vetoes[0].kinds[0]", "caps[1].kinds[1]"}


def test_unknown_metric_and_denominator():
    data = default_data()
    data["dimensions"][3]["indicators"][0]["metric"] = "profit"
    data["dimensions"][3]["indicators"][5]["denominator_metric"] = "turnover"
    problems = problems_of(data)
    assert problems["dimensions[3].indicators[0].metric"] == "未知的观测指标「profit」"
    assert problems["dimensions[3].indicators[5].denominator_metric"] == "未知的观测指标「turnover」"


def test_overlapping_bands():
    data = default_data()
    data["bands"][1]["max_score"] = 870  # B reaches into A
    problems = problems_of(data)
    assert "重叠" in problems["bands[0].min_score"]


def test_gapped_bands_and_bands_not_covering_the_scale():
    data = default_data()
    data["bands"][2]["min_score"] = 620  # 600-619 belongs to nobody
    data["bands"][0]["max_score"] = 990
    data["bands"][3]["min_score"] = 10
    problems = problems_of(data)
    assert "600–619" in problems["bands[2].min_score"]
    assert "1000" in problems["bands[0].max_score"]
    assert "从 0 分开始" in problems["bands[3].min_score"]


def test_band_order_and_duplicate_grades():
    data = default_data()
    data["bands"][0]["grade"], data["bands"][1]["grade"] = "B", "A"
    assert "等级顺序不对" in problems_of(data)["bands"]
    data = default_data()
    data["bands"][1]["grade"] = "A"
    assert "重复" in problems_of(data)["bands[1].grade"]


def test_inverted_band():
    data = default_data()
    data["bands"][2]["min_score"], data["bands"][2]["max_score"] = 699, 600
    assert "高于最高分" in problems_of(data)["bands[2]"]


def test_points_that_do_not_add_up():
    data = default_data()
    data["base_score"] = 60
    message = problems_of(data)["dimensions"]
    assert "1010" in message and "基础分 60" in message


def test_map_maximum_must_equal_max_points():
    data = default_data()
    data["dimensions"][0]["indicators"][0]["max_points"] = 25
    data["base_score"] = 45
    problems = problems_of(data)
    assert problems == {
        "dimensions[0].indicators[0].points": "分值映射的最高分 20 与满分 max_points=25 不一致"
    }


def test_duplicate_codes():
    data = default_data()
    data["dimensions"][1]["indicators"][0]["code"] = "age_years"
    data["dimensions"][1]["code"] = "basic"
    data["caps"][1]["code"] = data["caps"][0]["code"]
    data["vetoes"][1]["code"] = data["vetoes"][0]["code"]
    problems = problems_of(data)
    assert "已用于 dimensions[0].indicators[0].code" in problems["dimensions[1].indicators[0].code"]
    assert "维度代码「basic」重复" in problems["dimensions[1].code"]
    assert "caps[1].code" in problems and "vetoes[1].code" in problems


def test_piecewise_not_sorted_and_open_end():
    data = default_data()
    data["dimensions"][0]["indicators"][0]["points"] = {"piecewise": [[3, 10], [1, 4], [null_bound(), 20]]}
    assert "严格递增" in problems_of(data)["dimensions[0].indicators[0].points.piecewise[1]"]
    data["dimensions"][0]["indicators"][0]["points"] = {"piecewise": [[1, 4], [3, 20]]}
    assert "上界必须为空" in problems_of(data)["dimensions[0].indicators[0].points.piecewise[1]"]
    data["dimensions"][0]["indicators"][0]["points"] = {"piecewise": [[None, 4], [3, 20]]}
    assert "严格递增" in problems_of(data)["dimensions[0].indicators[0].points.piecewise[1]"]


def null_bound() -> None:
    return None


def test_linear_map_checks():
    data = default_data()
    ind = data["dimensions"][0]["indicators"][0]
    ind["points"] = {"linear": {"intercept": 0, "slope": 1, "min": 25, "max": 20}}
    problems = problems_of(data)
    assert "最低分不能高于最高分" in problems["dimensions[0].indicators[0].points.linear"]
    ind["points"] = {"linear": {"intercept": 0, "slope": 1, "min": -5, "max": 20}}
    assert "不能为负" in problems_of(data)["dimensions[0].indicators[0].points"]


def test_missing_points_out_of_range():
    data = default_data()
    data["dimensions"][0]["indicators"][0]["missing"] = {"rule": "points", "points": 30}
    assert "0 到 20" in problems_of(data)["dimensions[0].indicators[0].missing.points"]


def test_aggregate_parameters_are_checked():
    data = default_data()
    inds = data["dimensions"]
    inds[0]["indicators"][4]["half_life_days"] = None  # decayed_count without half-life
    inds[3]["indicators"][1]["recent_days"] = 800  # trend: recent >= window
    inds[4]["indicators"][3]["tag"] = ""  # has_tag without tag
    inds[1]["indicators"][6]["value_map"] = {}  # latest_mapped without map
    inds[2]["indicators"][0]["metric"] = "electricity"  # late_share on a non-bill metric
    inds[0]["indicators"][3]["aggregate"] = "trend"  # observations aggregate on records
    problems = problems_of(data)
    assert set(problems) == {
        "dimensions[0].indicators[4].half_life_days",
        "dimensions[3].indicators[1].recent_days",
        "dimensions[4].indicators[3].tag",
        "dimensions[1].indicators[6].value_map",
        "dimensions[2].indicators[0].metric",
        "dimensions[0].indicators[3].aggregate",
    }


def test_records_indicator_needs_kinds_and_cap_grade_must_exist():
    data = default_data()
    del data["dimensions"][0]["indicators"][3]["kinds"]
    data["caps"][0]["max_grade"] = "D"
    data["bands"] = [b for b in data["bands"] if b["grade"] != "D"]
    data["bands"][2]["min_score"] = 0
    problems = problems_of(data)
    assert "必须列出记录类型" in problems["dimensions[0].indicators[3].kinds"]
    assert problems["caps[0].max_grade"] == "等级「D」未在 bands 中定义"


@pytest.mark.parametrize(
    ("mutate", "path", "fragment"),
    [
        (lambda d: d.pop("name"), "", "缺少必填项:name"),
        (lambda d: d.update(extra=1), "", "不认识的配置项:extra"),
        (lambda d: d["bands"][0].update(colour="blue"), "bands[0].colour", "可选值"),
        (lambda d: d.update(base_score="50"), "base_score", "应为整数"),
        (lambda d: d.update(code="Park-Credit"), "code", "小写字母"),
        (lambda d: d["dimensions"][0].update(indicators=[]), "dimensions[0].indicators", "不能为空"),
        (lambda d: d.update(base_score=-1), "base_score", "不能小于 0"),
        (lambda d: d.update(base_score=2000), "base_score", "不能大于 1000"),
        (
            lambda d: d["dimensions"][0]["indicators"][0].update(points={"steps": []}),
            "dimensions[0].indicators[0].points",
            "piecewise",
        ),
        (lambda d: d["vetoes"][0].update(kinds=[]), "vetoes[0].kinds", "不能为空"),
        (lambda d: d.update(code="a" * 50), "code", "过长"),
    ],
)
def test_schema_errors_have_chinese_messages_and_paths(mutate, path, fragment):
    data = copy.deepcopy(default_data())
    mutate(data)
    problems = problems_of(data)
    assert path in problems, problems
    assert fragment in problems[path]


def test_spec_error_text_lists_every_problem():
    data = default_data()
    data["vetoes"][0]["kinds"] = ["x"]
    data["caps"][0]["kinds"] = ["y"]
    with pytest.raises(SpecError) as info:
        load_spec(yaml.safe_dump(data))
    text = str(info.value)
    assert "vetoes[0].kinds[0]" in text and "caps[0].kinds[0]" in text


def test_points_maps():
    pw = Piecewise(((1.0, 10.0), (3.0, 5.0), (None, 0.0)))
    assert [pw.apply(v) for v in (0.0, 0.999, 1.0, 2.5, 3.0, 1e9)] == [10, 10, 5, 5, 0, 0]
    assert (pw.lowest, pw.highest) == (0, 10)
    lin = CappedLinear(44, -100, 0, 40)
    assert lin.apply(0.0) == 40 and lin.apply(0.1) == pytest.approx(34) and lin.apply(1.0) == 0


def test_band_lookup():
    spec = load_default_spec()
    assert spec.band_for(1000).grade == "A"
    assert spec.band_for(850).grade == "A"
    assert spec.band_for(849).grade == "B"
    assert spec.band_for(0).grade == "D"
    assert spec.worst_band.grade == "D"
    with pytest.raises(ValueError, match="不在任何等级区间"):
        spec.band_for(1001)
    with pytest.raises(KeyError):
        spec.band_by_grade("E")
