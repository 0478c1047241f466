"""Every profile's sample file parses without a single error, in every encoding and format."""

from decimal import Decimal

import pytest

from creditcore.collection.profiles import PROFILES
from creditcore.collection.readers import open_table
from creditcore.collection.rows import ParsedRow, bind_headers, parse_row
from tests.creditcore.collection import make_samples
from tests.creditcore.collection.make_samples import SAMPLES_DIR, all_files

PROFILE_OF = {
    "penalty-gbk.csv": "penalty",
    "penalty-v1.csv": "penalty",
    "penalty.xlsx": "penalty",
    "penalty.jsonl": "penalty",
    "licence-codes.csv": "licence",
    **{f"{name}.csv": name for name in PROFILES},
}


def parse_file(name, data):
    profile = PROFILES[PROFILE_OF[name]]
    table = open_table(data, filename=name)
    binding = bind_headers(profile, table.headers)
    return table, binding, [parse_row(profile, binding, row) for row in table.rows()]


def test_every_profile_has_a_sample():
    assert {f"{name}.csv" for name in PROFILES} <= set(all_files())
    assert {p.name for p in SAMPLES_DIR.iterdir()} >= set(PROFILE_OF)


@pytest.mark.parametrize("name", sorted(PROFILE_OF))
def test_committed_sample_is_current(name):
    committed = (SAMPLES_DIR / name).read_bytes()
    generated = all_files()[name]
    if name.endswith(".xlsx"):  # workbooks carry a creation time; compare what they hold
        assert [r.values for r in open_table(committed).rows()] == [
            r.values for r in open_table(generated).rows()
        ]
    else:
        assert committed == generated


@pytest.mark.parametrize("name", sorted(PROFILE_OF))
def test_sample_parses_cleanly(name):
    _, binding, results = parse_file(name, (SAMPLES_DIR / name).read_bytes())
    assert binding.ok
    assert binding.unknown == []
    assert results
    assert all(isinstance(r, ParsedRow) for r in results), [
        r for r in results if not isinstance(r, ParsedRow)
    ]


def test_penalty_in_every_encoding_and_format_gives_the_same_rows():
    expected = None
    for name, encoding, fmt in [
        ("penalty.csv", "utf-8-sig", "csv"),
        ("penalty-gbk.csv", "gb18030", "csv"),
        ("penalty.xlsx", "", "xlsx"),
        ("penalty.jsonl", "utf-8", "jsonl"),
    ]:
        table, _, results = parse_file(name, (SAMPLES_DIR / name).read_bytes())
        assert (table.encoding, table.format) == (encoding, fmt)
        fields = [r.fields for r in results]
        expected = expected or fields
        assert fields == expected
    assert [f["amount"] for f in expected] == [
        Decimal("2000.00"),
        None,
        Decimal("35000.00"),
        Decimal("10000.00"),
        Decimal("50000.00"),
    ]
    assert [f["severity"] for f in expected] == ["general", "minor", "general", "general", "serious"]
    assert [f["revoked"] for f in expected] == [False, False, False, True, False]


def test_plain_utf8_sample_reads_like_the_bom_one():
    plain = make_samples.csv_bytes(make_samples.SAMPLES["penalty"], "utf-8")
    _, _, results = parse_file("penalty.csv", plain)
    _, _, with_bom = parse_file("penalty.csv", (SAMPLES_DIR / "penalty.csv").read_bytes())
    assert [r.fields for r in results] == [r.fields for r in with_bom]


def test_gbk_sample_has_characters_outside_gb2312():
    data = (SAMPLES_DIR / "penalty-gbk.csv").read_bytes()
    text = data.decode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gb2312")


def test_v1_and_code_samples_bind_by_code():
    _, binding, results = parse_file("penalty-v1.csv", (SAMPLES_DIR / "penalty-v1.csv").read_bytes())
    assert binding.fields["legal_representative"] == "CF_FR"
    assert binding.fields["content"] == "CF_JG"
    assert results[1].fields["severity"] == "minor"
    _, binding, results = parse_file("licence-codes.csv", (SAMPLES_DIR / "licence-codes.csv").read_bytes())
    assert binding.fields["valid_to"] == "XK_YXQZI" and binding.fields["valid_from"] == "XK_YXQZ"


ENCODINGS = {
    "utf-8": lambda table: make_samples.csv_bytes(table, "utf-8"),
    "utf-8-sig": lambda table: make_samples.csv_bytes(table, "utf-8-sig"),
    "gb18030": lambda table: make_samples.csv_bytes(table, "gb18030"),
    "xlsx": make_samples.xlsx_bytes,
    "jsonl": make_samples.jsonl_bytes,
}


@pytest.mark.parametrize("encoding", list(ENCODINGS))
@pytest.mark.parametrize("profile", list(PROFILES))
def test_every_profile_in_every_encoding(profile, encoding):
    data = ENCODINGS[encoding](make_samples.SAMPLES[profile])
    table, _, results = parse_file(f"{profile}.csv", data)
    assert table.encoding == ("" if encoding == "xlsx" else encoding.replace("jsonl", "utf-8"))
    _, _, reference = parse_file(f"{profile}.csv", (SAMPLES_DIR / f"{profile}.csv").read_bytes())
    assert [r.fields for r in results] == [r.fields for r in reference]
