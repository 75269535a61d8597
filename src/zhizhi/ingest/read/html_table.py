"""An HTML page saved as `.xls`: what many web systems export as "Excel" (a `<table>` Excel opens without a word).

Each top-level `<table>` is a sheet, `table 1`, `table 2` …; a cell is its text as a browser shows it (entities
decoded, runs of spaces as one, `<br>` as a line break). A cell spanning columns (`colspan`) is one cell followed by
blanks, as a merged range reads; a cell spanning rows (`rowspan`) gives its text to each row it covers, as a person
reads it. The page's encoding is the one its `<meta charset>` names, else UTF-8, else GB18030.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from zhizhi.errors import InputError
from zhizhi.ingest.read.sniff import UTF16_BOMS

_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SPACES = re.compile(r"[^\S\n]+")
MAX_SPAN = 1000  # a colspan or rowspan past this is a broken page, not a layout


class _Tables(HTMLParser):
    """Collects the rows of each top-level table, spans laid out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.depth = 0
        self.row: list[str] | None = None
        self.cell: list[str] | None = None
        self.spans: tuple[int, int] = (1, 1)
        self.below: dict[int, tuple[int, str]] = {}  # column -> (rows still covered, text) of rowspans above

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
                self.below = {}
        elif self.depth != 1:
            if tag == "br" and self.cell is not None:
                self.cell.append("\n")
        elif tag == "tr":
            self._end_row()
            self.row = []
        elif tag in ("td", "th"):
            self._end_cell()
            if self.row is None:
                self.row = []
            values = dict(attrs)
            self.spans = (_span(values.get("colspan")), _span(values.get("rowspan")))
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self.depth == 1:
                self._end_row()
            self.depth = max(self.depth - 1, 0)
        elif self.depth == 1 and tag in ("td", "th"):
            self._end_cell()
        elif self.depth == 1 and tag == "tr":
            self._end_row()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)

    def _end_cell(self) -> None:
        if self.cell is None or self.row is None:
            return
        text = "\n".join(_SPACES.sub(" ", line).strip() for line in "".join(self.cell).split("\n")).strip()
        self._fill_from_above()
        columns, rows = self.spans
        if rows > 1:
            self.below[len(self.row)] = (rows - 1, text)
        self.row.extend([text] + [""] * (columns - 1))
        self.cell = None

    def _fill_from_above(self) -> None:
        assert self.row is not None
        while len(self.row) in self.below:
            left, text = self.below[len(self.row)]
            self.row.append(text)
            if left > 1:
                self.below[len(self.row) - 1] = (left - 1, text)
            else:
                del self.below[len(self.row) - 1]

    def _end_row(self) -> None:
        self._end_cell()
        if self.row is None:
            return
        self._fill_from_above()
        for column in sorted(c for c in self.below if c > len(self.row)):  # spans past the row's own cells
            self.row.extend([""] * (column - len(self.row)))
            self._fill_from_above()
        self.tables[-1].append(self.row)
        self.row = None


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


def html_encoding(head: bytes) -> str | None:
    """The encoding a page's `<meta charset>` names, if Python knows it (GBK and GB2312 read as GB18030)."""
    import codecs

    match = _CHARSET.search(head[:4096])
    if match is None:
        return None
    try:
        name = codecs.lookup(match.group(1).decode("ascii")).name
    except LookupError:
        return None
    return "gb18030" if name in ("gbk", "gb2312") else name


def html_tables(path: Path) -> list[tuple[str, Iterator[tuple[int, list[str]]]]]:
    """Each top-level table of the page as a sheet: its name and its rows, numbered from 1."""
    data = path.read_bytes()
    # a byte-order mark says more than a <meta charset> (a page saved as "Unicode" is UTF-16 whatever it names)
    encoding = "utf-16" if data.startswith(UTF16_BOMS) else html_encoding(data) or _guess(data)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"File `{path.name}` is an HTML page whose bytes are not `{encoding}` ({exc.reason}). Open it in Excel "
            "and save it as .xlsx, or export CSV.",
            zh=f"文件 `{path.name}` 是网页格式，但其内容不是 `{encoding}` 编码，"
            "请用 Excel 打开后另存为 .xlsx 或导出 CSV。",
        ) from None
    parser = _Tables()
    parser.feed(text.lstrip("\ufeff"))
    parser.close()
    return [(f"table {n}", iter(list(enumerate(rows, start=1)))) for n, rows in enumerate(parser.tables, start=1)]


def _guess(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8"
