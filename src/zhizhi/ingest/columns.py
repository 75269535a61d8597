"""Which of a file's columns each field of a source takes: header names compared as people write them, a column
written twice, the checks made before any row is read (every mapped column found once, no biometric data without a
legal basis)."""

from __future__ import annotations

import re
import unicodedata

from zhizhi.errors import InputError
from zhizhi.ingest.read.base import repeated_columns
from zhizhi.privacy.catalogue import BIOMETRIC, classify_columns
from zhizhi.sources.config import SourceConfig

# What an import template adds to a column's name: a required mark (*经营者名称, 经营者名称※) and a note saying so
_MARKS = re.compile(r"^[*※]+|[*※]+$|\((?:必填|选填|必填项|选填项|可选|非必填)\)$")


def header_key(name: str) -> str:
    """A header name as compared with a source's column: full-width forms as half-width (（手机） as (手机)), no spaces
    or line breaks anywhere (经营者 名称, a header wrapped in its cell), no required marks (*经营者名称, (必填))."""
    key = "".join(unicodedata.normalize("NFKC", name).split())
    while (bare := _MARKS.sub("", key)) != key:
        key = bare
    return key


def _last_part(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def resolve_column(column: str, header: list[str]) -> list[str]:
    """The header names a source's column matches: itself; else those equal to it but for full-width forms and
    spaces; else those whose last part under a merged group header (许可证信息/许可证编号) is it. More than one is
    ambiguous; none is missing."""
    if column in header:
        return [column]
    first = _first_copy(column, header)
    if first is not None:
        return [first]
    key = header_key(column)
    same = [h for h in header if header_key(h) == key]
    if same:
        return same
    return [h for h in header if _last_part(header_key(h)) == _last_part(key)]


def _first_copy(column: str, header: list[str]) -> str | None:
    """The first of a repeated column, for a source naming it `电话_1` (the header has 电话 and 电话_2); else None."""
    if not column.endswith("_1") or len(column) < 3:
        return None
    found = resolve_column(column[:-2], header)
    return found[0] if len(found) == 1 and found[0] in repeated_columns(header) else None


def _repeated(source: SourceConfig, header: list[str], resolved: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """Field -> its column and the column's copies, for each field mapping by its bare name a column the header
    writes more than once (not `电话_1` nor `电话_2`), unless another field maps one of the copies."""
    repeats = repeated_columns(header)
    taken = set(resolved.values())
    found = {}
    for name, column in resolved.items():
        written = source.fields[name].column or ""
        if column in repeats and _first_copy(written, header) is None and not taken & set(repeats[column]):
            found[name] = (column, *repeats[column])
    return found


def check_columns(
    source: SourceConfig, header: list[str], label: str, sheet: str | None, appears: tuple[str, str] = ("", "")
) -> SourceConfig:
    """The source with each mapped column named as this header writes it; every column the source maps must be in
    the header (see `resolve_column`), once: the error lists what the file has and says what to fix.

    Biometric data (face images and templates, fingerprints) is refused unless the source records its legal basis.
    `appears` says, in English and Chinese, what a file is when it is not what its name says (an HTML page).
    """
    check_biometric(source, header, label, sheet)
    resolved, missing, ambiguous = {}, [], []
    for name, mapping in source.fields.items():
        if mapping.column is None:
            continue
        found = resolve_column(mapping.column, header)
        if len(found) == 1:
            resolved[name] = found[0]
        elif found:
            ambiguous.append(f"`{mapping.column}` ({' or '.join(f'`{c}`' for c in found)})")
        else:
            missing.append(mapping.column)
    where = f"`{label}`" + (f" ({appears[0]})" if appears[0] else "") + (f", sheet `{sheet}`" if sheet else "")
    where_zh = f"`{label}`" + (f"（{appears[1]}）" if appears[1] else "") + (f" 工作表 `{sheet}`" if sheet else "")
    columns = ", ".join(f"`{c}`" for c in header)
    if missing:
        raise InputError(
            f"{where} has no column(s) {', '.join(f'`{c}`' for c in missing)} that source `{source.name}` maps. "
            f"Its columns are: {columns}. Fix the source file's `fields` or the export. Nothing was ingested.",
            zh=f"文件 {where_zh} 缺少数据源 `{source.name}` 需要的列：{'、'.join(missing)}。文件中的列为：{columns}。"
            "请修改数据源文件的 fields 或重新导出。本次未导入任何数据。",
        )
    if ambiguous:
        raise InputError(
            f"{where}: column(s) {'; '.join(ambiguous)} that source `{source.name}` maps match more than one column. "
            "Name the column exactly as the file writes it in the source file's `fields`. Nothing was ingested.",
            zh=f"文件 {where_zh} 中数据源 `{source.name}` 需要的列 {'；'.join(ambiguous)} 对应多个列，"
            "请在数据源文件的 fields 中按文件中的写法准确填写列名。本次未导入任何数据。",
        )
    repeated = _repeated(source, header, resolved)
    renamed = _renamed(source, resolved)
    return renamed.with_repeated(repeated, label, sheet) if repeated else renamed


def as_written(source: SourceConfig, header: list[str]) -> SourceConfig:
    """The source with each mapped column that matches exactly one of the header's named as the header writes it
    (the others as they are): for a quarantined row, whose cells are keyed by the file's header."""
    found = {n: resolve_column(m.column, header) for n, m in source.fields.items() if m.column is not None}
    return _renamed(source, {name: columns[0] for name, columns in found.items() if len(columns) == 1})


def _renamed(source: SourceConfig, resolved: dict[str, str]) -> SourceConfig:
    if all(source.fields[name].column == column for name, column in resolved.items()):
        return source
    fields = {
        name: m.model_copy(update={"column": resolved[name]}) if name in resolved else m
        for name, m in source.fields.items()
    }
    return source.model_copy(update={"fields": fields})


def shares_a_column(source: SourceConfig, header: list[str]) -> bool:
    """Whether any column the source maps is in the header (see `resolve_column`)."""
    return any(m.column is not None and resolve_column(m.column, header) for m in source.fields.values())


def check_biometric(source: SourceConfig, header: list[str], label: str, sheet: str | None) -> None:
    """Refuse a file with biometric columns (by the field they feed or by their header) from a source without a
    `legal_basis`: such data may only be held where a law or the person's separate consent allows it."""
    if source.legal_basis:
        return
    fed = {m.column: name for name, m in source.fields.items() if m.column is not None}
    categories = classify_columns(source.record_type, [str(c) for c in header], fed)
    found = [column for column, category in categories.items() if category == BIOMETRIC]
    if found:
        where = f"`{label}`" + (f", sheet `{sheet}`" if sheet else "")
        listed = ", ".join(f"`{c}`" for c in found)
        raise InputError(
            f"{where} holds biometric data (face images or templates, fingerprints) in column(s) {listed}, and source "
            f"`{source.name}` records no legal basis for it. Remove the column(s) from the export, or add "
            "`legal_basis: <the law or consent that allows it>` to the source file. Nothing was ingested.",
            zh=f"文件 {where} 的列 {'、'.join(found)} 含生物识别信息（人脸图像或特征、指纹等），"
            f"而数据源 `{source.name}` 未载明合法依据。请从导出中删除这些列，"
            "或在数据源文件中写明 legal_basis（法律依据或单独同意）。本次未导入任何数据。",
        )
