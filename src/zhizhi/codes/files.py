"""Read a code-list or crosswalk file with the ingest readers (CSV in UTF-8 or GBK, Excel .xlsx or .xls)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from zhizhi.errors import InputError
from zhizhi.ingest.read import ERROR, ROW, ReadOptions, open_file

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    """The first sheet of a file: its header (lower-cased), each row with the row number a person sees, and per row
    the columns whose cell a workbook held as a number (`numbers`: a code typed as a number may have lost its leading
    zeros, which its text cannot show)."""

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    encoding: str | None
    problems: list[str] = field(default_factory=list)
    numbers: dict[int, set[str]] = field(default_factory=dict)

    def was_number(self, line: int, column: str) -> bool:
        """Whether the cell of `column` (lower-cased) on `line` was a number in a workbook."""
        return column in self.numbers.get(line, ())


def read_table(path: Path, *, encoding: str | None = None) -> Table:
    """Read the first sheet; rows that cannot be read as rows become problems naming their line."""
    if not path.is_file():
        raise InputError(f"File `{path}` does not exist.", zh=f"文件 `{path}` 不存在。")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise InputError(
            f"File `{path.name}` is larger than {MAX_FILE_BYTES // 2**20} MB; split it or use a database.",
            zh=f"文件 `{path.name}` 超过 {MAX_FILE_BYTES // 2**20} MB，请拆分文件或改用数据库。",
        )
    reading = open_file(path, ReadOptions(encoding=encoding))
    sheet: str | None = None
    started = False
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[str] = []
    numbers: dict[int, set[str]] = {}
    for chunk in reading.chunks:
        if not started:
            sheet, started = chunk.sheet, True
        if chunk.sheet != sheet:
            break
        names = [c for c in chunk.frame.columns if c not in (ROW, ERROR)]
        lines = chunk.frame[ROW].to_list()
        for column, positions in chunk.numbers.items():
            for at in positions:
                numbers.setdefault(lines[at], set()).add(column.lower())
        for record in chunk.frame.iter_rows(named=True):
            if record[ERROR]:
                problems.append(f"{path.name}:{record[ROW]}: {record[ERROR]}")
            rows.append((record[ROW], {name.lower(): (record[name] or "").strip() for name in names}))
    header = reading.headers.get(sheet) or next(iter(reading.headers.values()), [])
    if not header:
        raise InputError(
            f"File `{path.name}` is empty: it needs a header row and at least one row.",
            zh=f"文件 `{path.name}` 是空的：需要一行表头和至少一行数据。",
        )
    return Table(
        path=path,
        header=[h.lower() for h in header],
        rows=rows,
        encoding=reading.encoding,
        problems=problems,
        numbers=numbers,
    )
