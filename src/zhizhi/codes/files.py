"""Read a code-list or crosswalk file (CSV in UTF-8 or GBK, Excel .xlsx or .xls) into rows with line numbers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path

from charset_normalizer import from_bytes

from zhizhi.errors import InputError

MAX_FILE_BYTES = 50 * 1024 * 1024
_ENCODINGS = ("utf_8", "utf_8_sig", "gb18030", "gbk", "gb2312", "ascii", "big5")


@dataclass(frozen=True)
class Table:
    """The rows of a file: the header, and each row with the line (or Excel row) a person sees it on."""

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str | None


def read_table(path: Path, *, encoding: str | None = None) -> Table:
    """Read the first sheet of an Excel file or a whole CSV file; cells come back as stripped text."""
    if not path.is_file():
        raise InputError(f"File `{path}` does not exist.")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(
            f"File `{path.name}` is larger than {MAX_FILE_BYTES // 2**20} MB; a code list is never that big."
        )
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return _table(path, _read_xlsx(path), None)
    if suffix == ".xls":
        return _table(path, _read_xls(path), None)
    text, used = _decode(path, encoding)
    return _table(path, list(csv.reader(io.StringIO(text, newline=""))), used)


def _decode(path: Path, encoding: str | None) -> tuple[str, str]:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise InputError(f"File `{path.name}` is binary, not a CSV text file. Export it again as CSV or Excel.")
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise InputError(
                f"File `{path.name}` is not `{encoding}`: {exc}. Leave out `--encoding` to detect it."
            ) from None
    for candidate in ("utf_8_sig", "gb18030"):
        try:
            return data.decode(candidate), candidate
        except UnicodeDecodeError:
            continue
    best = from_bytes(data, cp_isolation=list(_ENCODINGS)).best()
    if best is None or best.encoding not in _ENCODINGS:
        raise InputError(f"File `{path.name}` is neither UTF-8 nor GBK/GB18030 text. Save it as UTF-8 CSV or Excel.")
    return str(best), best.encoding


def _read_xlsx(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            f"File `{path.name}` is not a readable .xlsx workbook ({type(exc).__name__}). "
            "Open and save it again in Excel, or export CSV."
        ) from None
    sheet = workbook.worksheets[0]
    rows = [["" if cell is None else _cell_text(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def _read_xls(path: Path) -> list[list[str]]:
    import xlrd

    try:
        sheet = xlrd.open_workbook(str(path)).sheet_by_index(0)
    except Exception as exc:  # xlrd raises many kinds for a broken file
        raise InputError(
            f"File `{path.name}` is not a readable .xls workbook ({type(exc).__name__}). "
            "Open and save it again in Excel, or export CSV."
        ) from None
    return [[_cell_text(v) for v in sheet.row_values(r)] for r in range(sheet.nrows)]


def _cell_text(value: object) -> str:
    if isinstance(value, datetime):  # a date typed as a date in Excel
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    # Excel keeps 0111 as the number 111.0 when a clerk forgot to format the column as text; the list's
    # own width check will flag the lost zero, so only the float's ".0" is removed here.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(path: Path, raw: list[list[str]], encoding: str | None) -> Table:
    lines = [(number, [c.strip() for c in row]) for number, row in enumerate(raw, start=1)]
    lines = [(n, row) for n, row in lines if any(row)]
    if not lines:
        raise InputError(f"File `{path.name}` is empty: it needs a header row and at least one row.")
    header_line, header = lines[0]
    header = [h.strip().lstrip("\ufeff").lower() for h in header]
    rows = [
        (n, {header[i]: (row[i] if i < len(row) else "") for i in range(len(header)) if header[i]})
        for n, row in lines[1:]
    ]
    return Table(path=path, header=[h for h in header if h], rows=rows, encoding=encoding)
