"""The desk's tickets as a labelled month: each ticket with the case it is in as the handlers left it, to measure the
desk on a bureau's own tickets (`zhizhi hotline evaluate FILE`, `zhizhi.hotline.measure`) and refit its weights
(`python bench/hotline.py --labelled FILE`, see hotline.md). `labelled_month` writes such a month, `read_labelled`
reads one back (or one a bureau prepared by hand).

No identity leaves: the caller's phone and name become pseudonyms (an HMAC under a key made for this export and
then thrown away: equal values are equal within the file, and nothing links them to the person or to another
export), and the texts and respondents' names are masked as lists mask them (phone and ID numbers). Each ticket
says how it joined its case (`first`, `merged` on its own, `confirmed` by a handler, `moved`): automatic merges are
the desk's own answer, for the bureau to check before it trusts them as truth.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import re
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.roles import Actor, require
from zhizhi.cells import FORMULA_STARTS, csv_cell
from zhizhi.errors import InputError
from zhizhi.hotline.candidate import TicketText, real_name
from zhizhi.hotline.cases import visible
from zhizhi.hotline.history import ticket_moment
from zhizhi.privacy.detect import mask_text
from zhizhi.records.ticket import KIND_ALIASES, KINDS
from zhizhi.store.tables import Case, CaseTicket, Record, RecordVersion

COLUMNS = ("received", "text", "case", "how", "phone", "caller", "respondent", "problem", "goods", "place", "channel",
           "kind")
"""The columns of a labelled month, in order (`bench/hotline.py --labelled` reads them by name)."""


def labelled_month(session: Session, actor: Actor, *, since: date, until: date) -> list[dict[str, str]]:
    """The tickets of the cases received from `since` through `until` that `actor` may list, in the order received,
    each as a row of `COLUMNS`. Audited (`cases.export_labelled`)."""
    require(actor, "data.read")
    key = secrets.token_bytes(32)

    def alias(kind: str, value: Any) -> str:
        said = str(value or "").strip()
        return f"{kind}-{hmac.new(key, said.encode(), hashlib.sha256).hexdigest()[:16]}" if said else ""

    query = (
        select(Case.number, CaseTicket.how, RecordVersion.data)
        .join(CaseTicket, CaseTicket.case_id == Case.id)
        .join(Record, Record.id == CaseTicket.record_id)
        .join(RecordVersion, RecordVersion.id == Record.version_id)
        .where(visible(actor), Case.received_on >= since, Case.received_on <= until)
    )
    rows = []
    for number, how, raw in session.execute(query):
        data = json.loads(raw)
        received = ticket_moment(data)
        rows.append((received, number, {
            "received": received.isoformat(sep=" "), "text": mask_text(str(data.get("text") or "")),
            "case": number, "how": how, "phone": alias("phone", data.get("caller_phone")),
            "caller": alias("caller", real_name(data.get("caller_name"))),  # 匿名 is nobody
            "respondent": mask_text(str(data.get("respondent_name") or "")),  # as lists show it: numbers masked
            "problem": str(data.get("problem_category") or ""), "goods": str(data.get("goods_category") or ""),
            "place": str(data.get("place") or ""), "channel": str(data.get("channel") or ""),
            "kind": str(data.get("kind") or ""),
        }))  # fmt: skip
    rows.sort(key=lambda row: (row[0], row[1]))
    audit.record(session, actor, "cases.export_labelled", object_type="case", object_id=f"{since}..{until}",
                 detail={"since": since.isoformat(), "until": until.isoformat(), "tickets": len(rows)})  # fmt: skip
    return [row for _, _, row in rows]


def labelled_csv(rows: Iterable[dict[str, str]]) -> str:
    """Rows of `labelled_month` as the CSV text `read_labelled` reads back (a header of `COLUMNS`; written with a BOM
    by its callers, for Excel)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows({name: csv_cell(value) for name, value in row.items()} for row in rows)
    return out.getvalue()


MAX_BYTES = 256 << 20
"""A labelled file larger than this is refused (a month of a large city's tickets is a few tens of MB)."""
MAX_CELL = {"text": 20_000}
"""The longest cell read, by column (others: `MAX_OTHER`)."""
MAX_OTHER = 500
REQUIRED = ("received", "text", "case")
SHOWN = 10  # problems named one by one; the rest counted
MOMENT = re.compile(
    r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]+(\d{1,2})[:：时](\d{1,2})(?:[:：分](\d{1,2}))?)?"
)
"""A day as people and spreadsheets write it (2026-11-02, 2026/11/2 9:30, 2026年11月2日), with a time of day or not."""


@dataclass(frozen=True)
class LabelledTicket:
    """One ticket of a labelled month: the file's row, the ticket as the desk reads it (its id: its place in the order
    received), its case's label (tickets of one case share it) and how it joined its case (`first`, `merged`,
    `confirmed`, `moved`; empty when the file does not say), and its kind when the file says it (the desk keeps a
    complaint and a report apart, Art 7, and so does the replay)."""

    row: int
    ticket: TicketText
    case: str
    how: str
    kind: str | None = None  # complaint, report ... (投诉, 举报 as a bureau writes them); None: not said


def _as_written(cell: str) -> str:
    """A cell as it was before `labelled_csv` put a `'` before text a spreadsheet would run as a formula."""
    return (cell[1:] if cell.startswith("'") and cell[1:2] in FORMULA_STARTS else cell).strip()


def read_labelled(path: Path) -> list[LabelledTicket]:
    """A labelled month from a CSV file (UTF-8, with or without a BOM, or GB18030), as `zhizhi cases export-labelled`
    writes it or a bureau prepares it: a header and one ticket a row, `received`, `text` and `case` required, the
    other `COLUMNS` when known. In the order received (then the file's). Every problem is named at once (file, row,
    column, value and the fix); nothing is read from a file with problems."""
    where, where_zh = f"File `{path.name}`", f"文件 `{path.name}`"
    if path.is_dir():
        raise InputError(
            f"`{path}` is a folder: give the labelled month's CSV file, as `zhizhi cases export-labelled` writes it.",
            zh=f"`{path}` 是文件夹：请给出标注月份的 CSV 文件（可用 zhizhi cases export-labelled 导出）。",
        )
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                f"{where} is {size:,} bytes; a labelled month may be at most {MAX_BYTES:,}. Export a shorter period "
                "(`--since`, `--until`).",
                zh=f"{where_zh}有 {size:,} 字节，标注文件最多 {MAX_BYTES:,} 字节。"
                "请导出较短的时段（--since、--until）。",
            )
        raw = path.read_bytes()
    except OSError as error:
        reason = error.strerror
        raise InputError(f"{where} cannot be read: {reason}.", zh=f"{where_zh}无法读取：{reason}。") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError as error:
            raise InputError(
                f"{where} is neither UTF-8 nor GB18030 text (byte {error.start}). Save it as CSV in UTF-8.",
                zh=f"{where_zh}既不是 UTF-8 也不是 GB18030 文本（第 {error.start} 字节）。请另存为 UTF-8 编码的 CSV。",
            ) from None
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    with _as_csv(reader, where, where_zh):
        header = [str(name).strip() for name in reader.fieldnames or []]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        named = ", ".join(f"`{name}`" for name in missing)
        optional = [c for c in COLUMNS if c not in REQUIRED]
        raise InputError(
            f"{where} has no column {named}; its header must name {', '.join(REQUIRED)} (and may name "
            f"{', '.join(optional)}). `zhizhi cases export-labelled` writes such a file.",
            zh=f"{where_zh}缺少列 {named}；表头须有 {'、'.join(REQUIRED)}（可有 "
            f"{'、'.join(optional)}）。可用 zhizhi cases export-labelled 导出此格式。",
        )
    reader.fieldnames = header

    def numbered() -> Iterator[tuple[int, dict[Any, Any]]]:
        with _as_csv(reader, where, where_zh):
            for row in reader:
                # the row's first line in the file (blank lines are skipped, a text may hold line breaks)
                yield reader.line_num - sum(str(v).count("\n") for v in row.values() if isinstance(v, str)), row

    return labelled_tickets(numbered(), where, where_zh)


@contextmanager
def _as_csv(reader: csv.DictReader[str], where: str, where_zh: str) -> Iterator[None]:
    """A file the CSV reader gives up on (a cell of more than 128K characters, a broken quote) refused at its line."""
    try:
        yield
    except csv.Error as error:
        line = reader.reader.line_num  # the DictReader's own counts only the rows it returned
        raise InputError(
            f"{where} line {line} is not readable as CSV ({error}). Save the month from the spreadsheet as CSV "
            "(comma-separated, UTF-8), or export it with `zhizhi cases export-labelled`.",
            zh=f"{where_zh} 第 {line} 行无法按 CSV 读取（{error}）。请从表格软件另存为 CSV（逗号分隔，UTF-8），"
            "或用 zhizhi cases export-labelled 导出。",
        ) from None


def labelled_tickets(
    rows: Iterable[tuple[int, dict[Any, Any]]], where: str = "The month", where_zh: str = "标注数据"
) -> list[LabelledTicket]:
    """The tickets of a labelled month's rows (each with its number: a file's row, or a place), as `read_labelled`
    reads a file's and `labelled_month` makes the store's; every problem named at once, nothing read if any."""
    problems: list[tuple[str, str]] = []
    parsed: list[tuple[datetime, int, dict[str, str]]] = []
    for number, row in rows:
        if None in row:
            problems.append((f"row {number} has more cells than the header", f"第 {number} 行的单元格多于表头"))
            continue
        cells = {name: _as_written(value or "") for name, value in row.items() if name in COLUMNS}
        if not any(cells.values()):
            continue  # a blank line
        for name, value in cells.items():
            if len(value) > MAX_CELL.get(name, MAX_OTHER):
                limit = MAX_CELL.get(name, MAX_OTHER)
                problems.append((f"row {number}, `{name}`: {len(value)} characters, at most {limit}",
                                 f"第 {number} 行 {name}：{len(value)} 个字符，最多 {limit} 个"))  # fmt: skip
        if cells.get("kind") and _kind(cells["kind"]) is None:
            said, known, words = cells["kind"][:40], "、".join(KINDS.values()), ", ".join(KINDS)
            problems.append((f"row {number}, `kind` `{said}` is not a ticket's kind ({words}, or {known})",
                             f"第 {number} 行 kind「{said}」不是工单类别（{known}，或 {words}）"))  # fmt: skip
        if not cells["case"]:
            problems.append((f"row {number}, `case` is blank: give the case's label (tickets of one case share it)",
                             f"第 {number} 行 case 为空：请填写案件标签（同一案件的工单标签相同）"))  # fmt: skip
        received = _moment(cells["received"])
        if received is None:
            said = cells["received"][:40]
            problems.append((f"row {number}, `received` `{said}` is not a date like 2026-11-02 (or with 09:30)",
                             f"第 {number} 行 received「{said}」不是日期，应如 2026-11-02（可带 09:30）"))  # fmt: skip
            continue
        parsed.append((received, number, cells))
    if problems:
        more = len(problems) - SHOWN
        listed = "; ".join(en for en, _ in problems[:SHOWN]) + (f"; and {more} more" if more > 0 else "")
        listed_zh = "；".join(zh for _, zh in problems[:SHOWN]) + (f"；另有 {more} 处" if more > 0 else "")
        raise InputError(f"{where}: {listed}. Nothing was read; correct the file and run again.",
                         zh=f"{where_zh}：{listed_zh}。未读取任何工单，请改正后重试。")  # fmt: skip
    parsed.sort(key=lambda item: (item[0], item[1]))
    return [
        LabelledTicket(number, TicketText(
            id=place, text=cells["text"], phone=cells.get("phone") or None, caller_name=cells.get("caller") or None,
            respondent=cells.get("respondent") or None, received=received.date(),
            problem_category=cells.get("problem") or None, goods_category=cells.get("goods") or None,
            place=cells.get("place") or None,
        ), cells["case"], cells.get("how", ""), _kind(cells.get("kind", "")))  # fmt: skip
        for place, (received, number, cells) in enumerate(parsed)
    ]


_KIND_WORDS = {kind: kind for kind in KINDS} | {label: kind for kind, label in KINDS.items()} | KIND_ALIASES


def _kind(said: str) -> str | None:
    """A ticket's kind as the record writes it (complaint) or the channels and a bureau do (投诉, 消费投诉, 举报类 ...:
    as the ingest reads them); None when not said or not known."""
    return _KIND_WORDS.get(said.strip().lower() if said.isascii() else said.strip())


def _moment(said: str) -> datetime | None:
    found = MOMENT.fullmatch(said.strip().rstrip("秒")) if said else None
    if found is None:
        return None
    year, month, day, hour, minute, second = (int(part or 0) for part in found.groups())
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:  # 2026-02-30
        return None
