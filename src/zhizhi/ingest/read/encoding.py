"""Which text encoding a department's CSV export uses: UTF-8 (with or without BOM), GBK/GB18030, or UTF-16 with
its BOM (Excel's "Unicode text") or without it (SQL Server's `bcp -w`), detected."""

from __future__ import annotations

from pathlib import Path

from charset_normalizer import from_bytes

from zhizhi.errors import InputError
from zhizhi.ingest.read.sniff import utf16_without_bom

SAMPLE_BYTES = 1 << 20
ACCEPTED = ("utf_8", "utf_8_sig", "gb18030", "gbk", "gb2312", "ascii")


def detect_encoding(path: Path) -> str:
    """`utf-8-sig`, `utf-8`, `gb18030` (which reads GBK too), `utf-16` (by its BOM) or `utf-16-le` / `utf-16-be`
    (without one), judged from the first megabyte."""
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE_BYTES)
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        if path.stat().st_size % 2:  # two bytes a character (or four): an odd size ends in half of one
            raise _cut_short(path, "utf-16")
        return "utf-16"  # the codec reads the BOM for the byte order and drops it
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if (order := utf16_without_bom(sample)) is not None:
        if path.stat().st_size % 2:
            raise _cut_short(path, order)
        return order
    if len(sample) == SAMPLE_BYTES:  # do not judge by a character cut in half at the end of the sample
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    for candidate, name in (("utf-8", "utf-8"), ("gb18030", "gb18030")):
        try:
            sample.decode(candidate)
            return name
        except UnicodeDecodeError:
            continue
    if len(sample) == path.stat().st_size:  # the whole file, and neither reads it: is only its last character cut?
        for candidate in ("utf-8", "gb18030"):
            if any(_reads(sample[:-cut], candidate) for cut in (1, 2, 3)):
                raise _cut_short(path, candidate)
    best = from_bytes(sample).best()
    if best is not None and best.encoding in ACCEPTED:
        return str(best.encoding)
    raise InputError(
        f"File `{path.name}` is neither UTF-8 nor GBK/GB18030 text. Save it as UTF-8 CSV or Excel, "
        "or name its encoding in the source file (`encoding:`).",
        zh=f"文件 `{path.name}` 既不是 UTF-8 也不是 GBK 编码，请另存为 UTF-8 的 CSV 或 Excel。",
    )


def _cut_short(path: Path, encoding: str) -> InputError:
    return InputError(
        f"File `{path.name}` ends in the middle of a character ({encoding}): the file was cut short (a download or "
        "copy broken off). Export it again.",
        zh=f"文件 `{path.name}` 在一个字符的中间结束，文件未完整（下载或复制中断），请重新导出。",
    )


def _reads(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


# GB2312 and GBK are subsets of GB18030 with the same bytes: a file "in GBK" that holds a rare name character (𠀾,
# 䶮) written by a GB18030 system is still read, where Python's gbk codec would refuse the whole file.
WIDER = {"gbk": "gb18030", "gb2312": "gb18030"}


def check_encoding(encoding: str) -> str:
    """A forced encoding, refused at once when Python does not know it; GBK and GB2312 are read as GB18030."""
    import codecs

    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise InputError(
            f"Encoding `{encoding}` is unknown; use utf-8, utf-8-sig, gbk, gb18030 or utf-16 in the source's "
            "`encoding:`, or leave it out to have it detected.",
            zh=f"未知的编码 `{encoding}`：请在数据源的 encoding 中填写 utf-8、utf-8-sig、gbk、gb18030 或 utf-16，"
            "或删去该项由系统自动识别。",
        ) from None
    return WIDER.get(name, name)
