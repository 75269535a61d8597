"""What a spreadsheet did to a file's cells, found once a chunk is mapped: Excel's error values where a formula
failed (#N/A, #REF! …), and codes held as numbers that may have lost their leading zeros; and each field named as
the file wrote its column (`as_read`), as every finding of a mapped chunk names it."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from zhizhi.ingest.kinds import Context, I, findings_where, no_findings
from zhizhi.ingest.normalize.artefacts import undo_artefacts
from zhizhi.records.fields import Field
from zhizhi.sources.config import SourceConfig


def as_read(spec: Field, source: SourceConfig) -> Field:
    """The field as its problems name it: by the column its values were read from (经营业态代码), not by the field's
    label (行业代码), which another column of the file may carry with other values; a field given a constant value
    keeps its label."""
    mapping = source.fields.get(spec.name)
    column = mapping.column if mapping is not None else None
    return replace(spec, label_zh=column, label=column) if column else spec


# What Excel and WPS show in a cell whose formula failed (a VLOOKUP that found nothing shows #N/A); saved to CSV or
# cached in a workbook, it reads as that text, which is no value of any field.
EXCEL_ERRORS = (
    "#N/A",
    "#DIV/0!",
    "#VALUE!",
    "#REF!",
    "#NAME?",
    "#NUM!",
    "#NULL!",
    "#SPILL!",
    "#CALC!",
    "#FIELD!",
    "#BLOCKED!",
    "#CONNECT!",
    "#BUSY!",
    "#UNKNOWN!",
    "#GETTING_DATA",
)


def excel_errors(source: SourceConfig, raw: pl.DataFrame) -> pl.DataFrame:
    """A finding for each mapped value that is an Excel error (#N/A, #REF! …): the formula behind it failed."""
    parts = []
    for name, mapping in source.fields.items():
        if mapping.column is None:
            continue
        if not raw[name].str.contains("#", literal=True).any():  # no error without its mark: most columns stop here
            continue
        named = as_read(source.kind.field(name), source)
        mask = raw[name].str.strip_chars().str.to_uppercase().is_in(EXCEL_ERRORS)
        if mask.any():
            parts.append(
                findings_where(
                    named,
                    raw[name],
                    mask,
                    "value.not_allowed",
                    f"「{named.label_zh}」是 Excel 的错误值「{{value}}」（公式出错），不是数据："
                    "请在原表中修正公式或直接填写数值后重新导出",
                    f"`{named.label}` holds the Excel error `{{value}}` (a formula that failed), not a value: fix the "
                    "formula in the workbook or type the value, and export again",
                )
            )
    return pl.concat(parts) if parts else no_findings()


def said_once(found: pl.DataFrame, errors: pl.DataFrame) -> pl.DataFrame:
    """The kinds' findings but for the cells `errors` name: an Excel error (a lost zero) is said once, as itself, not
    also as a value of the wrong form."""
    if not errors.height:
        return found
    return found.join(errors.select(I, "field"), on=[I, "field"], how="anti", maintain_order="left")


def lost_zeros(
    source: SourceConfig, raw: pl.DataFrame, frame: pl.DataFrame, numbers: dict[str, list[int]], ctx: Context
) -> pl.DataFrame:
    """A finding for each code a spreadsheet held as a number whose form with leading zeros is a code of its list
    too: 111 may be class 0111 (稻谷种植) that lost its zero, or group 111; which, the number cannot say. A number is
    a workbook's number cell (a number format of zeros, 0000, shows them and is read so: `read.excel_reader.padding`)
    or, in any file, a code written as a spreadsheet writes a number (111.0, 1.11E+02)."""
    parts = []
    for name, mapping in source.fields.items():
        spec = source.kind.field(name)
        if spec.kind != "code":
            continue
        undone = undo_artefacts(raw[name], thousands=False)
        written = [v for v, a in undone.by_value.items() if {"decimal", "scientific"} & set(a.artefacts)]
        rows = numbers.get(mapping.column or "", [])
        if not rows and not written:
            continue
        listed = ctx.translators[name].legs[0].hierarchy
        longest = max(map(len, listed.codes), default=0)
        text = undone.values.str.strip_chars()
        at = pl.int_range(0, frame.height, dtype=pl.Int64, eager=True)
        was_number = (at.is_in(rows) | raw[name].is_in(written)) & text.str.contains(r"^[0-9]+$").fill_null(False)
        doubtful = [
            value
            for value in text.filter(was_number).unique().to_list()
            if any("0" * zeros + value in listed for zeros in range(1, longest - len(value) + 1))
        ]
        if doubtful:
            named = as_read(spec, source)
            parts.append(
                findings_where(
                    named,
                    raw[name],
                    was_number & text.is_in(doubtful),
                    "code.leading_zero",
                    f"「{named.label_zh}」`{{value}}` 在表格软件中是数字（工作簿的数字单元格，或写成 "
                    "111.0、1.11E+02），前导零可能已丢失（补上零也是代码表中的代码，无法判断原值）："
                    "请把该列设为文本格式，填回原代码后重新导出",
                    f"`{named.label}` = `{{value}}` was a number in a spreadsheet (a workbook's number cell, or "
                    "written as 111.0 or 1.11E+02) and may have lost its leading zeros (with zeros in front it is a "
                    "code of the list too, so which was meant cannot be told): format the column as text, type the "
                    "codes as they are, and export again",
                )
            )
    return pl.concat(parts) if parts else no_findings()
