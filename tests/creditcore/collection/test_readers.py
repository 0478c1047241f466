import csv
import io
import json

import openpyxl
import pytest

from creditcore.collection.readers import (
    ERROR_COLUMN,
    SourceRow,
    TableError,
    detect_encoding,
    open_table,
    open_table_path,
    sniff_delimiter,
    write_error_table,
)

HEADER = "企业名称,统一社会信用代码,金额\r\n"
# 堃 and 喆 are in GBK/GB18030 but not in GB2312; 𠀀 needs GB18030's four-byte form.
BODY = "郑州堃鑫建材有限公司,91410100MA47GT5M9B,100\r\n吉喆𠀀科技,91410100MA44QJ7R71,200\r\n"
TEXT = HEADER + BODY


def rows_of(table):
    return [(row.number, row.values) for row in table.rows()]


class TestEncodings:
    @pytest.mark.parametrize(
        ("data", "encoding"),
        [
            (TEXT.encode("utf-8"), "utf-8"),
            (TEXT.encode("utf-8-sig"), "utf-8-sig"),
            (TEXT.encode("gb18030"), "gb18030"),
            (TEXT.encode("utf-16"), "utf-16"),
        ],
    )
    def test_detected_from_content(self, data, encoding):
        table = open_table(data, filename="penalty.xlsx")  # the name is not trusted
        assert (table.format, table.encoding) == ("csv", encoding)
        assert table.headers == ["企业名称", "统一社会信用代码", "金额"]
        assert rows_of(table) == [
            (
                2,
                {"企业名称": "郑州堃鑫建材有限公司", "统一社会信用代码": "91410100MA47GT5M9B", "金额": "100"},
            ),
            (3, {"企业名称": "吉喆𠀀科技", "统一社会信用代码": "91410100MA44QJ7R71", "金额": "200"}),
        ]

    def test_gbk_bytes_are_not_valid_utf8(self):
        assert detect_encoding("堃".encode("gbk")) == "gb18030"

    def test_undecodable_file(self):
        # 0x80 alone is invalid in both UTF-8 and GB18030.
        with pytest.raises(TableError, match="编码无法识别"):
            open_table(b"name,value\r\n\x80,1\r\n", filename="x.csv")


class TestCsvShape:
    @pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
    def test_delimiter_sniffed(self, delimiter):
        text = delimiter.join(["名称", "代码", "备注"]) + "\n" + delimiter.join(["甲", "1", '"a,b"']) + "\n"
        table = open_table(text.encode())
        assert table.delimiter == delimiter
        assert rows_of(table) == [(2, {"名称": "甲", "代码": "1", "备注": "a,b"})]

    def test_sniff_ignores_quoted_delimiters(self):
        assert sniff_delimiter('"a;b;c;d",x,y\n') == ","
        assert sniff_delimiter("a\tb\tc,d\n") == "\t"

    def test_empty_rows_skipped_numbers_kept(self):
        text = "名称,代码\n\n甲,1\n,\n  ,  \n乙,2\n"
        assert [n for n, _ in rows_of(open_table(text.encode()))] == [3, 6]

    def test_leading_blank_lines_before_header(self):
        table = open_table(b"\n\nname,code\nx,1\n")
        assert table.header_row == 3
        assert rows_of(table) == [(4, {"name": "x", "code": "1"})]

    def test_quoted_newline_counts_as_one_row(self):
        table = open_table('名称,事实\n甲,"第一行\n第二行"\n乙,x\n'.encode())
        assert rows_of(table) == [
            (2, {"名称": "甲", "事实": "第一行\n第二行"}),
            (3, {"名称": "乙", "事实": "x"}),
        ]

    def test_headers_cleaned_and_made_unique(self):
        table = open_table("  名称 ,备注,备注,,\n甲,a,b,,\n".encode())
        assert table.headers == ["名称", "备注", "备注(2)"]

    def test_extra_cells_kept_under_position_names(self):
        table = open_table(b"a,b\n1,2,3\n")
        assert rows_of(table) == [(2, {"a": "1", "b": "2", "第3列": "3"})]

    @pytest.mark.parametrize("data", [b"", b"   \n\n", b",,,\n"])
    def test_empty_file(self, data):
        with pytest.raises(TableError, match="没有表头行"):
            open_table(data, filename="empty.csv")

    @pytest.mark.parametrize(
        "first_line", ["郑州某公司,91410100MA47GT5M9B,100", "甲,2023-05-01,乙", "甲,乙,12.5"]
    )
    def test_no_header_row(self, first_line):
        with pytest.raises(TableError, match="第1行应为表头"):
            open_table((first_line + "\n甲,乙,丙\n").encode())

    def test_whole_numbers_can_be_headers(self):
        assert open_table("企业名称,2023,2024\n甲,1,2\n".encode()).headers == ["企业名称", "2023", "2024"]


class TestXlsx:
    def workbook_bytes(self, rows):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()

    def test_typed_cells_become_text(self):
        from datetime import date, datetime

        data = self.workbook_bytes(
            [
                ["名称", "日期", "时间", "金额", "数量", "是否撤销"],
                ["甲", date(2023, 5, 1), datetime(2023, 5, 1, 8, 30), 0.2, 45047, True],
                [None, None, None, None, None, None],
                ["乙", None, None, 12.0, None, False],
            ]
        )
        table = open_table(data, filename="a.csv")
        assert (table.format, table.encoding) == ("xlsx", "")
        assert rows_of(table) == [
            (
                2,
                {
                    "名称": "甲",
                    "日期": "2023-05-01",
                    "时间": "2023-05-01 08:30:00",
                    "金额": "0.2",
                    "数量": "45047",
                    "是否撤销": "是",
                },
            ),
            (4, {"名称": "乙", "日期": "", "时间": "", "金额": "12", "数量": "", "是否撤销": "否"}),
        ]

    def test_gap_rows_keep_sheet_numbers(self):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet["A1"], sheet["B1"] = "名称", "代码"
        sheet["A5"], sheet["B5"] = "甲", "1"
        out = io.BytesIO()
        workbook.save(out)
        assert rows_of(open_table(out.getvalue())) == [(5, {"名称": "甲", "代码": "1"})]

    def test_truncated_file(self):
        data = self.workbook_bytes([["名称", "代码"], *[[f"甲{i}", str(i)] for i in range(200)]])
        with pytest.raises(TableError, match="已损坏或不完整"):
            table = open_table(data[: len(data) // 2], filename="cut.xlsx")
            list(table.rows())

    def test_not_a_workbook_zip(self):
        with pytest.raises(TableError, match="已损坏或不完整"):
            open_table(b"PK\x03\x04" + b"\x00" * 100)

    def test_old_xls_refused(self):
        with pytest.raises(TableError, match=r"\.xls"):
            open_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)

    def test_empty_sheet(self):
        with pytest.raises(TableError, match="没有表头行"):
            open_table(self.workbook_bytes([]))


class TestJsonLines:
    def test_keys_in_order_and_line_numbers(self):
        lines = [
            json.dumps({"名称": "甲", "金额": 0.2}, ensure_ascii=False),
            "",
            json.dumps({"名称": "乙", "备注": "新列", "撤销": True, "明细": {"a": 1}}, ensure_ascii=False),
            "[1, 2]",
            "{broken",
        ]
        table = open_table("\n".join(lines).encode())
        assert table.format == "jsonl"
        assert table.headers == ["名称", "金额", "备注", "撤销", "明细"]
        rows = list(table.rows())
        assert [(r.number, r.values) for r in rows[:2]] == [
            (1, {"名称": "甲", "金额": "0.2"}),
            (3, {"名称": "乙", "备注": "新列", "撤销": "是", "明细": '{"a": 1}'}),
        ]
        assert (rows[2].number, rows[3].number) == (4, 5)
        assert "JSON 对象" in rows[2].error
        assert "不是合法的 JSON" in rows[3].error
        assert rows[3].raw == "{broken"

    def test_no_objects(self):
        with pytest.raises(TableError, match="没有 JSON 对象"):
            open_table(b"{not json\n")


class TestPathStreaming:
    def test_multibyte_character_split_across_chunks(self, tmp_path):
        # With 7-byte chunks the three-byte UTF-8 characters straddle chunk boundaries; a naive
        # per-chunk decode would fail and mistake the file for GB18030.
        path = tmp_path / "big.csv"
        path.write_bytes(TEXT.encode("utf-8"))
        table = open_table_path(path, chunk_size=7)
        assert table.encoding == "utf-8"
        assert rows_of(table) == rows_of(open_table(TEXT.encode("utf-8")))

    def test_late_gbk_bytes_fall_back(self, tmp_path):
        text = HEADER + "plain,91410100MA47GT5M9B,1\r\n" * 50 + "郑州堃鑫建材,91410100MA44QJ7R71,2\r\n"
        path = tmp_path / "late.csv"
        path.write_bytes(text.encode("gb18030"))
        table = open_table_path(path, chunk_size=64)
        assert table.encoding == "gb18030"
        assert list(table.rows())[-1].values["企业名称"] == "郑州堃鑫建材"

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
    def test_streams_same_rows_as_bytes(self, tmp_path, encoding):
        path = tmp_path / "f.csv"
        path.write_bytes(TEXT.encode(encoding))
        assert rows_of(open_table_path(path)) == rows_of(open_table(TEXT.encode(encoding)))
        # rows() starts over on each call
        table = open_table_path(path)
        assert len(list(table.rows())) == len(list(table.rows())) == 2

    def test_xlsx_and_jsonl_paths(self, tmp_path):
        workbook = openpyxl.Workbook()
        workbook.active.append(["名称"])
        workbook.active.append(["甲"])
        workbook.save(tmp_path / "a.xlsx")
        assert rows_of(open_table_path(tmp_path / "a.xlsx")) == [(2, {"名称": "甲"})]
        (tmp_path / "a.jsonl").write_text('{"名称": "乙"}\n', encoding="utf-8")
        assert rows_of(open_table_path(tmp_path / "a.jsonl")) == [(1, {"名称": "乙"})]

    def test_missing_and_empty_files(self, tmp_path):
        with pytest.raises(TableError, match="无法读取"):
            open_table_path(tmp_path / "none.csv")
        (tmp_path / "empty.csv").write_bytes(b"")
        with pytest.raises(TableError, match="为空"):
            open_table_path(tmp_path / "empty.csv")


class TestErrorTable:
    rows = (
        (SourceRow(2, {"名称": "甲", "金额": "abc"}), "“abc”不是数值"),
        ({"名称": "堃鑫", "金额": ""}, "“金额”不能为空"),
    )

    def test_csv_utf8_with_bom(self):
        data = write_error_table("csv", ["名称", "金额"], self.rows, encoding="utf-8")
        assert data.startswith(b"\xef\xbb\xbf")
        table = open_table(data)
        assert table.headers == ["名称", "金额", ERROR_COLUMN]
        assert [r.values[ERROR_COLUMN] for r in table.rows()] == ["“abc”不是数值", "“金额”不能为空"]

    def test_csv_keeps_gb18030_and_delimiter(self):
        data = write_error_table("csv", ["名称", "金额"], self.rows, encoding="gb18030", delimiter=";")
        assert "堃鑫".encode("gb18030") in data
        table = open_table(data)
        assert (table.encoding, table.delimiter) == ("gb18030", ";")

    def test_xlsx(self):
        data = write_error_table("xlsx", ["名称", "金额"], self.rows)
        table = open_table(data)
        assert table.format == "xlsx"
        assert [list(r.values.values()) for r in table.rows()] == [
            ["甲", "abc", "“abc”不是数值"],
            ["堃鑫", "", "“金额”不能为空"],
        ]

    def test_jsonl(self):
        data = write_error_table("jsonl", ["名称", "金额"], self.rows)
        first = json.loads(data.decode().splitlines()[0])
        assert first == {"名称": "甲", "金额": "abc", ERROR_COLUMN: "“abc”不是数值"}

    def test_reupload_of_error_file_does_not_double_the_column(self):
        data = write_error_table("csv", ["名称", ERROR_COLUMN], [({"名称": "甲", ERROR_COLUMN: "旧"}, "新")])
        assert list(csv.reader(io.StringIO(data.decode("utf-8-sig")))) == [
            ["名称", ERROR_COLUMN],
            ["甲", "新"],
        ]
