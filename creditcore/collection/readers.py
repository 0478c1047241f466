"""Reading uploaded tables (CSV, XLSX, JSON Lines) into header + rows, streaming.

The format is recognised from the content, never from the file name: departments rename files
freely. CSV encoding is detected (BOM, then strict UTF-8, else GB18030, the superset of GBK that
Chinese Excel writes) and the delimiter sniffed. Row numbers are what the user sees in Excel or
an editor: the header is row 1 of a CSV or sheet; a JSON Lines row is its line number.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from creditcore.collection.values import clean_text

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
UTF8_BOM = codecs.BOM_UTF8
DELIMITERS = ",;\t|"
DETECT_BYTES = 1 << 20
ERROR_COLUMN = "错误原因"

# The csv module refuses fields over 128 KiB by default; a 违法事实 text can be long.
csv.field_size_limit(16 * 1024 * 1024)


class TableError(Exception):
    """The file as a whole cannot be read; `reason` is the Chinese explanation."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class SourceRow:
    """One non-empty data row: its number as the user sees it and header → raw cell text.

    `error` is set (and `values` may be empty) when the row itself is unreadable, such as a JSON
    Lines line that is not a JSON object; the rest of the file is still read.
    """

    number: int
    values: dict[str, str]
    error: str = ""
    raw: str = ""


class Table:
    """An opened file: its format, encoding, cleaned headers, and a streaming row iterator."""

    def __init__(
        self,
        *,
        format: str,
        encoding: str,
        headers: list[str],
        rows: Callable[[], Iterator[SourceRow]],
        delimiter: str = "",
        header_row: int = 1,
    ) -> None:
        self.format = format
        self.encoding = encoding
        self.headers = headers
        self.delimiter = delimiter
        self.header_row = header_row
        self._rows = rows

    def rows(self) -> Iterator[SourceRow]:
        """The data rows, skipping empty ones; each call starts from the top again."""
        return self._rows()

    def __repr__(self) -> str:
        return f"<Table {self.format} {self.encoding} {len(self.headers)} columns>"


def detect_format(head: bytes) -> str:
    """ "xlsx", "jsonl" or "csv" from the first bytes; TableError for an old binary .xls."""
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise TableError("不支持旧版 Excel(.xls)或加密的文件,请另存为 .xlsx 或 CSV 后上传")
    stripped = head.removeprefix(UTF8_BOM).lstrip()
    if stripped.startswith(b"{"):
        return "jsonl"
    return "csv"


def detect_encoding(data: bytes) -> str:
    """utf-8-sig for a BOM, utf-8 when the whole input decodes strictly, else gb18030."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def open_table(data: bytes, *, filename: str = "") -> Table:
    """Open an uploaded file held in memory (the name is only used in messages)."""
    if not data.strip():
        raise TableError(_empty(filename))
    fmt = detect_format(data[:64])
    if fmt == "xlsx":
        return _open_xlsx(lambda: io.BytesIO(data), filename)
    if fmt == "jsonl":
        encoding = detect_encoding(data)
        text = _decode(data, encoding, filename)
        return _open_jsonl(lambda: io.StringIO(text), encoding, filename)
    encoding = detect_encoding(data)
    text = _decode(data, encoding, filename)
    return _open_csv(lambda: io.StringIO(text, newline=""), encoding, filename)


def open_table_path(path: str | Path, *, chunk_size: int = DETECT_BYTES) -> Table:
    """Open a file on disk without reading it whole into memory (for very large imports)."""
    path = Path(path)
    name = path.name
    try:
        with path.open("rb") as handle:
            head = handle.read(chunk_size)
    except OSError as exc:
        raise TableError(f"无法读取文件“{name}”:{exc.strerror or exc}") from None
    if not head.strip():
        raise TableError(_empty(name))
    fmt = detect_format(head[:64])
    if fmt == "xlsx":
        return _open_xlsx(lambda: path.open("rb"), name)
    encoding = _detect_path_encoding(path, head, chunk_size)

    def opener() -> IO[str]:
        return path.open("r", encoding=encoding, newline="")

    if fmt == "jsonl":
        return _open_jsonl(opener, encoding, name)
    return _open_csv(opener, encoding, name)


def _detect_path_encoding(path: Path, head: bytes, chunk_size: int) -> str:
    if head.startswith((UTF8_BOM, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return detect_encoding(head)
    # An incremental decoder, so a character split across two chunks is not taken for an error.
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(chunk_size):
                decoder.decode(chunk, final=False)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"


def _empty(filename: str) -> str:
    return f"文件“{filename}”为空,没有表头行" if filename else "文件为空,没有表头行"


def _decode(data: bytes, encoding: str, filename: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        label = f"“{filename}”" if filename else ""
        raise TableError(f"文件{label}的编码无法识别:请保存为 UTF-8 或 GBK(GB18030)编码的 CSV") from None


def sniff_delimiter(line: str) -> str:
    """The most frequent of , ; tab | outside quotes in the header line (comma on a tie or none)."""
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _unique_headers(cells: Iterable[Any]) -> list[str]:
    headers: list[str] = []
    seen: set[str] = set()
    for position, cell in enumerate(cells, start=1):
        name = clean_text(cell) or f"第{position}列"
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name}({n})", n + 1
        seen.add(candidate)
        headers.append(candidate)
    while headers and headers[-1].startswith("第") and headers[-1].endswith("列"):
        # Trailing blank header cells (Excel's formatting debris) are not columns.
        headers.pop()
    return headers


def _check_header(headers: list[str], number: int, filename: str) -> None:
    if not headers:
        raise TableError(_empty(filename))
    looks_like_data = [header for header in headers if _looks_like_data(header)]
    if looks_like_data:
        sample = "、".join(looks_like_data[:3])
        raise TableError(f"第{number}行应为表头(列名),但含有数据“{sample}”:请在第一行写上列名")


def _looks_like_data(header: str) -> bool:
    """A cell no one would use as a column name: a date, a fractional number, or a code.

    Whole numbers are allowed: "2023" can head a year column.
    """
    from creditcore.collection.values import ValueParseError, date_from_text, decimal_from_text

    if header.startswith("第") and header.endswith("列"):
        return False
    if len(header) == 18 and header.isalnum() and header.isascii() and any(c.isdigit() for c in header):
        return True
    try:
        date_from_text(header)
    except ValueParseError:
        pass
    else:
        return True
    if "." not in header and "," not in header:
        return False
    try:
        decimal_from_text(header)
    except ValueParseError:
        return False
    return True


def _values(headers: list[str], cells: list[str]) -> dict[str, str]:
    values = dict(zip(headers, cells, strict=False))
    if len(cells) > len(headers):
        for position in range(len(headers), len(cells)):
            if cells[position].strip():
                values[f"第{position + 1}列"] = cells[position]
    return values


def _open_csv(opener: Callable[[], IO[str]], encoding: str, filename: str) -> Table:
    with opener() as handle:
        first_line, header_row = "", 0
        for line in handle:
            header_row += 1
            if line.strip(" \t\r\n,;|"):
                first_line = line
                break
    if not first_line:
        raise TableError(_empty(filename))
    delimiter = sniff_delimiter(first_line)
    header_cells = next(csv.reader([first_line], delimiter=delimiter))
    headers = _unique_headers(header_cells)
    _check_header(headers, header_row, filename)

    def rows() -> Iterator[SourceRow]:
        with opener() as handle:
            reader = csv.reader(handle, delimiter=delimiter)
            width = len(headers)
            # The hot loop of a large import: C-level checks only for the usual full-width row.
            for number, cells in enumerate(reader, start=1):
                if number <= header_row or not "".join(cells).strip():
                    continue
                if len(cells) == width:
                    yield SourceRow(number, dict(zip(headers, cells, strict=True)))
                else:
                    yield SourceRow(number, _values(headers, cells))

    return Table(
        format="csv",
        encoding=encoding,
        headers=headers,
        rows=rows,
        delimiter=delimiter,
        header_row=header_row,
    )


def _open_jsonl(opener: Callable[[], IO[str]], encoding: str, filename: str) -> Table:
    headers: list[str] = []
    seen: set[str] = set()
    with opener() as handle:
        for line in handle:
            try:
                item = json.loads(line) if line.strip() else None
            except ValueError:
                continue
            if isinstance(item, dict):
                for key in item:
                    if key not in seen:
                        seen.add(key)
                        headers.append(key)
    if not headers:
        raise TableError(f"文件“{filename}”中没有 JSON 对象行" if filename else "文件中没有 JSON 对象行")
    cleaned = {key: clean_text(key) for key in headers}

    def rows() -> Iterator[SourceRow]:
        with opener() as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield SourceRow(
                        number, {}, error=f"第{number}行不是合法的 JSON:{exc.msg}", raw=line.strip()
                    )
                    continue
                if not isinstance(item, dict):
                    yield SourceRow(
                        number, {}, error=f"第{number}行应为 JSON 对象({{...}})", raw=line.strip()
                    )
                    continue
                values = {
                    cleaned.get(key) or clean_text(key): _cell_text(value) for key, value in item.items()
                }
                if any(values.values()):
                    yield SourceRow(number, values)

    return Table(format="jsonl", encoding=encoding, headers=[cleaned[key] for key in headers], rows=rows)


def _cell_text(value: Any) -> str:
    """A cell (XLSX or JSON value) as the text a CSV would have held."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int | Decimal):
        return str(value)
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _open_xlsx(opener: Callable[[], IO[bytes]], filename: str) -> Table:
    import openpyxl

    def load(handle: IO[bytes]) -> Any:
        try:
            return openpyxl.load_workbook(handle, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise TableError(_bad_xlsx(filename, exc)) from None

    def sheet_rows(workbook: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
        sheet = workbook.worksheets[0]
        try:
            yield from enumerate(sheet.iter_rows(values_only=True), start=1)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
            raise TableError(_bad_xlsx(filename, exc)) from None
        except Exception as exc:  # openpyxl surfaces truncated XML as parser-specific errors
            raise TableError(_bad_xlsx(filename, exc)) from None

    with opener() as handle:
        workbook = load(handle)
        try:
            if not workbook.worksheets:
                raise TableError(_empty(filename))
            header_row, header_cells = 0, ()
            for number, cells in sheet_rows(workbook):
                if any(_cell_text(cell).strip() for cell in cells):
                    header_row, header_cells = number, cells
                    break
        finally:
            workbook.close()
    if not header_row:
        raise TableError(_empty(filename))
    headers = _unique_headers(header_cells)
    _check_header(headers, header_row, filename)

    def rows() -> Iterator[SourceRow]:
        with opener() as handle:
            workbook = load(handle)
            try:
                for number, cells in sheet_rows(workbook):
                    if number <= header_row:
                        continue
                    texts = [_cell_text(cell) for cell in cells]
                    if any(text.strip() for text in texts):
                        yield SourceRow(number, _values(headers, texts))
            finally:
                workbook.close()

    return Table(format="xlsx", encoding="", headers=headers, rows=rows, header_row=header_row)


def _bad_xlsx(filename: str, exc: BaseException) -> str:
    label = f"“{filename}”" if filename else ""
    return f"Excel 文件{label}已损坏或不完整,无法读取({type(exc).__name__}):请重新导出后上传"


def write_error_table(
    fmt: str,
    headers: list[str],
    rows_with_reasons: Iterable[tuple[SourceRow | Mapping[str, str], str]],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    """The rejected rows in the original layout plus a 错误原因 column, ready to fix and re-upload.

    CSV is written in the file's own encoding (UTF-8 with a BOM so Excel opens it correctly),
    XLSX as XLSX, JSON Lines as JSON Lines with an extra 错误原因 key.
    """
    # A re-uploaded error file already has the column: its old reason is replaced, not repeated.
    headers = [h for h in headers if h != ERROR_COLUMN]
    columns = [*headers, ERROR_COLUMN]
    if fmt == "xlsx":
        return _write_xlsx(columns, rows_with_reasons)
    if fmt == "jsonl":
        lines = []
        for row, reason in rows_with_reasons:
            values = row.values if isinstance(row, SourceRow) else row
            lines.append(json.dumps({**values, ERROR_COLUMN: reason}, ensure_ascii=False))
        return ("\n".join(lines) + "\n").encode("utf-8")
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter or ",", lineterminator="\r\n")
    writer.writerow(columns)
    for row, reason in rows_with_reasons:
        values = row.values if isinstance(row, SourceRow) else row
        writer.writerow([*(values.get(h, "") for h in headers), reason])
    target = "utf-8-sig" if encoding in ("utf-8", "utf-8-sig", "", "utf-16") else encoding
    return out.getvalue().encode(target)


def _write_xlsx(
    columns: list[str], rows_with_reasons: Iterable[tuple[SourceRow | Mapping[str, str], str]]
) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("错误行")
    headers = columns[:-1]
    sheet.append(columns)
    for row, reason in rows_with_reasons:
        values = row.values if isinstance(row, SourceRow) else row
        sheet.append([*(values.get(h, "") for h in headers), reason])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
