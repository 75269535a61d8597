"""`zhizhi sources suggest`: read an export never seen before and propose its source file, with a confidence per field.

How a column is matched to a field (docs/sources.md has the same with examples):

1. Header evidence `H` (0..1). The header is normalised: full-width to half-width, spaces, `*` and `:` dropped,
   bracketed remarks dropped (`企业名称（必填）` -> `企业名称`), a duplicate's `_2` dropped, lower case; a merged
   header `许可证/编号` is tried whole (`许可证编号`) and by its last part (`编号`). It is compared with the field's
   synonyms, its Chinese label, its name and English label, normalised the same way:
   exact = 1.0; a synonym inside the header = 0.5 + 0.4 r; the header inside a synonym = 0.45 + 0.4 r (r: the
   shorter's length over the longer's; the shorter at least 2 Chinese characters or 3 letters); else shared
   Chinese characters (Dice coefficient d >= 0.5) = 0.45 d; English words shared with the field's name and label
   (`corp_name` ~ `name`) = 0.5 j (Jaccard j). The best variant counts. A match with one of the field's secondary
   names (派单时间 for the moment received) counts 0.9 of the same match with a synonym; a header read after the
   header before it that is exactly a field's name (电话 after 投诉人: 投诉人电话) = 0.9.
2. Value evidence `V` (0..1): the share of the sample's non-blank values that pass the check of the field's kind
   (see `VALUE_CHECKS`); `s` is how much a pass says about the column (`STRENGTH`).
3. confidence = E x A x F, where
   E = 1 - (1 - H)(1 - s V)      header and values are two independent witnesses (noisy OR);
   A = 1 - 0.6 s (1 - V)         values that fail the check argue against the header;
   F = 1 - 0.7 P                 P: the largest pass share of a self-identifying check (credit code, registration
                                 number, ID number, date, phone, address) that is not the field's own kind: a
                                 column of dates is not a `text` field, whatever its header says.
   A column with no value in the sample has confidence 0.8 H: the header alone is never certain.
   So a column of valid credit codes is the credit code even under `字段3` (0.95), an exact header with values that
   pass is 1.0, and an exact header over values that all fail drops to about 0.4.
4. Pairs below `FLOOR` (0.4) are never mapped. Columns go to fields one to one: greedily by confidence (ties: the
   field's then the column's order), then improved by swaps while the total confidence grows. A pair within `CLOSE`
   (0.05) below a chosen one, the field from another column or the column for another field, is its runner-up and
   marks the field to be checked (a column headed exactly as the field is named: only by another exact header).
5. The record type, when not given: the one with the highest score = total confidence of its mapped fields
   + the confidence of its mapped required fields again - 1 per required field left without a column.
6. A required `enum` field left without a column takes a constant when the export's file name or title names
   exactly one of its values (a hotline export `12315投诉举报登记.csv` is of channel `12315`), to be confirmed.
7. In a workbook, the sheets sharing a header are one candidate table, each scored as above: the main table is the
   one whose best record type scores highest, a sheet of notes (说明, 填表说明, two columns of text) only when nothing
   else is; a sheet holding every column the main table maps (a district's, with a column more) joins it (`tables`).
"""

from zhizhi.sources.suggest.assign import CLOSE, assign
from zhizhi.sources.suggest.core import FieldEvidence, Suggestion, suggest_source
from zhizhi.sources.suggest.evidence import (
    CHECK_BELOW,
    FLOOR,
    HeaderMatch,
    header_match,
    header_variants,
    normalise_header,
)
from zhizhi.sources.suggest.fit import TypeScore
from zhizhi.sources.suggest.write import render_suggestion, write_suggestion

__all__ = [
    "CHECK_BELOW",
    "CLOSE",
    "FLOOR",
    "FieldEvidence",
    "HeaderMatch",
    "Suggestion",
    "TypeScore",
    "assign",
    "header_match",
    "header_variants",
    "normalise_header",
    "render_suggestion",
    "suggest_source",
    "write_suggestion",
]
