"""What a file appears to be, judged from its first bytes, so that a file holding no table is refused by name
(a PDF, an HTML page, a zip, an image, random bytes, nothing at all) instead of being read as a batch of 0 rows."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import NamedTuple

from zhizhi.errors import InputError

SAMPLE_BYTES = 1 << 16
LONGEST_HEADER = 4000  # characters: a header line longer than this, with no delimiter, is no header
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Looks(NamedTuple):
    """What a file appears to be, in English and in Chinese."""

    en: str
    zh: str


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MAGIC: tuple[tuple[bytes, Looks], ...] = (
    (b"%PDF", Looks("a PDF document", "PDF 文档")),
    (
        OLE2,
        Looks(
            "an OLE2 Office file (an old .xls or .doc, or a password-protected workbook)",
            "OLE2 格式的 Office 文件（旧版 .xls/.doc，或加密的工作簿）",
        ),
    ),
    (b"\x1f\x8b", Looks("a gzip archive", "gzip 压缩包")),
    (b"Rar!", Looks("a RAR archive", "RAR 压缩包")),
    (b"7z\xbc\xaf\x27\x1c", Looks("a 7z archive", "7z 压缩包")),
    (b"\x89PNG", Looks("a PNG image", "PNG 图片")),
    (b"\xff\xd8\xff", Looks("a JPEG image", "JPEG 图片")),
    (b"GIF8", Looks("a GIF image", "GIF 图片")),
    (b"{\\rtf", Looks("an RTF document", "RTF 文档")),
)
HTML_MARKS = ("<!doctype html", "<html", "<head", "<body", "<table", "<meta")
SPREADSHEET_ML = "urn:schemas-microsoft-com:office:spreadsheet"
EXCEL_2003_XML = Looks(
    "an Excel 2003 XML spreadsheet (SpreadsheetML), which zhizhi does not read: open it in Excel or WPS and save it "
    "as .xlsx",
    "Excel 2003 XML 表格（SpreadsheetML），本系统不读取这种格式：请用 Excel 或 WPS 打开后另存为 .xlsx",
)
# bytes that never occur in UTF-8 or GBK text: C0 controls other than tab, line breaks, form feed and EOF marks
CONTROL = frozenset(range(0x00, 0x09)) | frozenset(range(0x0E, 0x1A)) | frozenset(range(0x1C, 0x20)) | {0x7F}


def looks_like(path: Path, head: bytes) -> Looks | None:
    """What the file is when its first bytes show it is not delimited text; None when it may be."""
    if not head:
        return Looks("an empty file (0 bytes)", "空文件（0 字节）")
    for magic, looks in MAGIC:
        if head.startswith(magic):
            return looks
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip(path)
    if head.startswith(UTF16_BOMS) and not head_text(head).strip():
        return Looks("blank: nothing but spaces and line breaks", "空白文件：只有空格和换行")
    if is_spreadsheet_ml(head):
        return EXCEL_2003_XML
    if is_html(head):
        return Looks("an HTML page", "网页（HTML）")
    if head.startswith(UTF16_BOMS) or utf16_without_bom(head):
        return None  # text; what follows reads bytes as UTF-8 or GBK would
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", errors="ignore")[:1024].lower()
    if text.startswith("<?xml"):
        return Looks("an XML document", "XML 文档")
    if not head.strip(b"\xef\xbb\xbf \t\r\n\x0b\x0c"):
        return Looks("blank: nothing but spaces and line breaks", "空白文件：只有空格和换行")
    controls = sum(1 for byte in head if byte in CONTROL)
    if controls > max(2, len(head) // 100):  # a stray control byte in a small file is not enough
        share = controls / len(head)
        return Looks(
            f"binary data, not text ({share:.0%} of its first bytes are control bytes)", "二进制数据，不是文本"
        )
    return None


def head_text(head: bytes) -> str:
    """A file's first bytes as text to look at: UTF-16 by its byte-order mark (a page or sheet saved as "Unicode")
    or by its zero bytes, else UTF-8, leaving out what does not decode."""
    encoding = "utf-16" if head.startswith(UTF16_BOMS) else utf16_without_bom(head) or "utf-8"
    even = encoding.startswith("utf-16")
    return head[: len(head) - len(head) % 2 if even else None].decode(encoding, errors="ignore")


def utf16_without_bom(head: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` for UTF-16 text written without its byte-order mark (SQL Server's `bcp -w`, a .NET
    program's Encoding.Unicode): the zero bytes of its ASCII characters (digits, delimiters, line ends) stand on one
    side of the two-byte pairs, and the text decodes with line breaks and no control characters."""
    sample = head[: min(len(head), 4096) & ~1]
    if len(sample) < 8 or sample.startswith(UTF16_BOMS):
        return None
    odd, even = sample[1::2].count(0), sample[0::2].count(0)
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        # a tenth of the characters at least are ASCII; a few CJK ones (一 is U+4E00) put a zero on the other side
        if zeros * 10 >= len(sample) // 2 and others * 8 <= zeros:
            text = sample.decode(encoding, errors="ignore")
            if "\n" in text and not any(ord(c) < 0x20 and c not in "\t\r\n" for c in text):
                return encoding
    return None


def is_html(head: bytes) -> bool:
    """Whether a file's first bytes are an HTML page's (an Excel 2003 XML spreadsheet has a <Table> too: not one)."""
    text = head_text(head).lstrip("\ufeff \t\r\n")[:1024].lower()
    return text.startswith("<") and any(mark in text for mark in HTML_MARKS) and not is_spreadsheet_ml(head)


def is_spreadsheet_ml(head: bytes) -> bool:
    """Whether a file's first bytes are an Excel 2003 XML spreadsheet's (SpreadsheetML, often saved as .xls)."""
    return SPREADSHEET_ML in head_text(head).lower()


def _zip(path: Path) -> Looks:
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return Looks("a damaged zip archive", "已损坏的 zip 压缩包")
    if "xl/workbook.xml" in names:
        return Looks("an Excel workbook (.xlsx)", "Excel 工作簿（.xlsx）")
    if "word/document.xml" in names:
        return Looks("a Word document (.docx)", "Word 文档（.docx）")
    listed = ", ".join(f"`{n}`" for n in names[:5]) + (" …" if len(names) > 5 else "")
    return Looks(f"a zip archive holding {listed or 'nothing'}", "zip 压缩包")


def read_head(path: Path) -> bytes:
    """The first bytes of a file, enough to judge what it is."""
    with path.open("rb") as handle:
        return handle.read(SAMPLE_BYTES)


def no_table(path: Path, looks: Looks) -> InputError:
    """The error for a file that holds no table: what it appears to be, and that nothing was ingested."""
    return InputError(
        f"File `{path.name}` holds no table: it appears to be {looks.en}. Nothing was ingested. "
        "Export the data again as CSV or Excel.",
        zh=f"文件 `{path.name}` 中没有表格：它看起来是{looks.zh}。未导入任何数据，请重新导出为 CSV 或 Excel。",
    )


def refuse_unless_text(path: Path) -> bytes:
    """The file's first bytes; raises InputError naming what the file is when it cannot be delimited text."""
    head = read_head(path)
    looks = looks_like(path, head) or _json(head)
    if looks is not None:
        raise no_table(path, looks)
    return head


def _json(head: bytes) -> Looks | None:
    """JSON saved under a table's name (an API's error answer, `{"code":500,...}`): no table, though it has commas."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").decode("utf-8", errors="ignore")
    if re.match(r'(?:\{\s*"[^"\n]*"\s*:|\[\s*[{\["])', text):  # an object's first key, or a list of them
        return Looks("JSON text (an interface's answer?), not a table", "JSON 文本（接口的返回？），不是表格")
    return None


def first_line_is_no_header(text: str, delimiters: str) -> Looks | None:
    """A first line that is too long to be a header and holds no delimiter (minified HTML, base64, junk)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    if len(first) > LONGEST_HEADER and not any(d in first for d in delimiters):
        return Looks(
            f"one line of {len(first):,} characters with no delimiter, not a table",
            f"长达 {len(first):,} 个字符且没有分隔符的一行文字，不是表格",
        )
    return None
