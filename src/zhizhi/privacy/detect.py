"""Personal data in free text: resident identity numbers, phones, bank cards and e-mail addresses, found and masked.

Decisions:
- Chinese text has no spaces, so a number's edges are "no digit or ASCII letter next to it" (nor a decimal point
  followed by a digit): a resident number inside a 20-digit run or a credit code such as `91450200MA5K8XYZ1Q` is
  never a candidate.
- Full-width ASCII is read as half-width for matching, one character for one, so a finding's offsets and text are
  those of the original; masking stars the original characters.
- Every candidate is validated: resident numbers by province, birth date (1900 to today) and, for 18 characters,
  the GB 11643 check digit; bank cards by Luhn and an issuer prefix (UnionPay and domestic 62/60/95 at 16-19
  digits, Visa, Mastercard and JCB at 16), since a bare Luhn pass is one random number in ten.
- A number labelled as something else (`订单号：`, `发票代码`, `信用代码` ...) right before it, or an amount (`￥`
  before, `元`/`万` after), is not personal data; nor is a number labelled `身份证号` a bank card.
- Twelve bare digits from 0 (area code and 8 digits) are as often an electronic invoice code: they count as a
  landline only after a phone word (`电话`, `座机`, `联系` ...) in the 8 characters before.
- Overlapping candidates: the longer wins (an e-mail `13512344297@139.com` over its mobile), then the kind checked
  more strictly (a resident number over a bank card on the same digits, unless the label before says `卡`).
- Not detected: landline numbers without an area code, foreign numbers, passports; too ambiguous in free text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from stdnum import luhn
from stdnum.iso7064 import mod_11_2

KINDS = ("resident_id", "mobile", "landline", "bank_card", "email")
"""The kinds of personal data found, in the order they win a tie between overlapping candidates."""

# One character for one, so offsets in the converted text are offsets in the original.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_START = r"(?<![0-9A-Za-z])(?<![0-9]\.)"
_END = r"(?![0-9A-Za-z])(?!\.[0-9])"
_AREA = r"010|02[0-9]|0[3-9][0-9]{2}"
_LANDLINE = (
    rf"(?:\((?P<area_p>{_AREA})\)|(?P<area>{_AREA}))[ -]?(?P<local>[2-9][0-9]{{2,3}}[ -]?[0-9]{{4}})"
    r"(?:[ ]?(?:-|转|分机|[Ee][Xx][Tt]\.?|[Xx]|#)[ ]?[0-9]{1,6})?"
)
_MOBILE = r"(?:(?:\+|00)?86[ -]?|\(\+?86\) ?)?1[3-9][0-9](?:(?:[ -]?[0-9]{4}){2}|[0-9][ -][0-9]{4}[ -][0-9]{3})"
_EMAIL = r"[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_PATTERNS = {
    "resident_id": re.compile(rf"{_START}(?:[0-9]{{6}}[ -]?[0-9]{{8}}[ -]?[0-9]{{3}}[0-9Xx]|[0-9]{{15}}){_END}"),
    "mobile": re.compile(rf"{_START}{_MOBILE}{_END}"),
    "landline": re.compile(rf"{_START}{_LANDLINE}{_END}"),
    "bank_card": re.compile(rf"{_START}[0-9]{{4}}(?:[ -]?[0-9]{{4}}){{3}}(?:[ -]?[0-9]{{1,3}})?{_END}"),
    "email": re.compile(rf"(?<![A-Za-z0-9._%+-]){_EMAIL}"),
}
_LANDLINE_VALUE = re.compile(_LANDLINE)
_OTHER_LABEL = re.compile(
    r"(?:订单|单号|流水|票号|编号|编码|发票代码|发票号码|信用代码|注册号|批号|序列号|串号|IMEI|条码|运单|交易号|合同号|案号|账单)"
    r"[号码]?[ ]?[:：是为]?[ ]?$"
)
_AMOUNT_BEFORE = re.compile(r"(?:[¥￥$]|人民币|RMB)[ ]?$")
_AMOUNT_AFTER = re.compile(r"[ ]?(?:元|万|亿|块|美元|%)")
_CARD_LABEL = re.compile(r"卡")
_CARD_NUMBER_LABEL = re.compile(r"(?:卡|账户|账号)[号码]*[ ]?[:：是为]?[ ]?$")
_ID_LABEL = re.compile(r"(?:身份证|证件|身份号码)[号码]*[ ]?[:：是为]?[ ]?$")
_PHONE_WORD = re.compile(r"电话|座机|手机|联系|热线|号码|拨打|致电|传真|[Tt][Ee][Ll]")
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82 83".split()
)
_EARLIEST_BIRTH = date(1900, 1, 1)
_DIGITLIKE = frozenset("0123456789Xx")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind, its span and the text of that span as written."""

    kind: str
    start: int
    end: int
    text: str


def find_personal(text: str) -> list[Finding]:
    """Every resident number, mobile, landline, bank card and e-mail address in `text`, sorted, never overlapping."""
    half = text.translate(_HALF_WIDTH)
    candidates: list[Finding] = []
    for kind, pattern in _PATTERNS.items():
        for match in pattern.finditer(half):
            start, end = match.span()
            if _is_personal(kind, half, start, end):
                candidates.append(Finding(kind, start, end, text[start:end]))
    return _without_overlaps(half, candidates)


def mask_text(text: str, kinds: tuple[str, ...] = KINDS) -> str:
    """`text` with every piece of personal data (of `kinds`) replaced by its masked form, the rest untouched."""
    pieces: list[str] = []
    done = 0
    for found in (f for f in find_personal(text) if f.kind in kinds):
        pieces += [text[done : found.start], mask_value(found.kind, found.text)]
        done = found.end
    return "".join(pieces) + text[done:]


def mask_value(kind: str, value: str) -> str:
    """`value`, a piece of personal data of `kind`, with its identifying middle starred and its layout kept."""
    if kind == "email":
        local, at, domain = value.rpartition("@")
        return f"{local[:1]}***@{domain}" if at else value[:1] + "***"
    digits = sum(char in _DIGITLIKE for char in value.translate(_HALF_WIDTH))
    if kind in ("resident_id", "bank_card"):
        return _star_digits(value, range(6, digits - 4))
    if kind == "mobile":
        return _star_digits(value, range(digits - 8, digits - 4))
    if kind == "landline":
        match = _LANDLINE_VALUE.fullmatch(value.translate(_HALF_WIDTH))
        if match is None:
            return _star_digits(value, range(3, digits - 3))
        # Four stars leave the last 3 digits of a 7-digit local number and the last 4 of an 8-digit one.
        area = len(match["area"] or match["area_p"])
        return _star_digits(value, range(area, area + 4))
    raise ValueError(f"Unknown kind of personal data `{kind}`; use one of {', '.join(KINDS)}.")


def _is_personal(kind: str, half: str, start: int, end: int) -> bool:
    """True when the candidate passes its kind's checks and is not labelled or used as something else."""
    if kind == "email":
        return True
    before = half[max(0, start - 12) : start]
    if _OTHER_LABEL.search(before) or _AMOUNT_BEFORE.search(before) or _AMOUNT_AFTER.match(half, end):
        return False
    digits = re.sub(r"[^0-9Xx]", "", half[start:end]).upper()
    if kind == "resident_id":
        # A number labelled as one (身份证号：) is one with a typo in its check digit too: masked all the same.
        return _valid_resident_id(digits, labelled=bool(_ID_LABEL.search(before)))
    if kind == "bank_card":
        # A resident number with a typo is still labelled as one; it is not a bank card. A number labelled as a card
        # (卡号：, 银行卡, 账号) is one with a typo in its Luhn digit too, as a labelled resident number is.
        checked = luhn.is_valid(digits) or bool(_CARD_NUMBER_LABEL.search(before))
        return _card_issuer(digits) and checked and not _ID_LABEL.search(before)
    if kind == "landline":
        return _valid_landline(half[start:end], half[max(0, start - 8) : start])
    return True


def _valid_resident_id(number: str, *, labelled: bool = False) -> bool:
    """Province code, birth date and (18 characters) check digit of a resident identity number; the check digit is
    not asked of a number `labelled` as one."""
    if number[:2] not in _PROVINCES:
        return False
    if len(number) == 15:
        return _plausible_birth("19" + number[6:12])
    return _plausible_birth(number[6:14]) and (labelled or mod_11_2.calc_check_digit(number[:17]) == number[17])


def _plausible_birth(text: str) -> bool:
    """True for a real date `YYYYMMDD` from 1900 up to today."""
    try:
        born = date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return _EARLIEST_BIRTH <= born <= date.today()


def _card_issuer(digits: str) -> bool:
    """True for a prefix and length a bank card issued or used in China has."""
    if digits.startswith(("62", "60", "95")):
        return True
    if len(digits) != 16:
        return False
    return digits[0] == "4" or "51" <= digits[:2] <= "55" or digits[:2] == "35" or "2221" <= digits[:4] <= "2720"


def _valid_landline(value: str, before: str) -> bool:
    """Three-digit area codes (010, 02x) take an 8-digit local number, four-digit ones 7 or 8 digits."""
    match = _LANDLINE_VALUE.fullmatch(value)
    if match is None:
        return False
    area = match["area"] or match["area_p"]
    local = match["local"].replace(" ", "").replace("-", "")
    if len(area) == 3:
        return len(local) == 8
    # An invoice code is also 0 + four digits of region + more: for twelve bare digits only a phone word says phone.
    return not (value.isdigit() and len(value) == 12) or bool(_PHONE_WORD.search(before))


def _without_overlaps(half: str, candidates: list[Finding]) -> list[Finding]:
    """Keep the longest of overlapping candidates (ties go to the stricter kind), sorted by start."""

    def rank(found: Finding) -> tuple[int, int]:
        order = KINDS.index(found.kind)
        if found.kind == "bank_card" and _CARD_LABEL.search(half[max(0, found.start - 8) : found.start]):
            order = -1
        return (found.start - found.end, order)

    taken: list[Finding] = []
    for found in sorted(candidates, key=rank):
        if all(found.end <= other.start or other.end <= found.start for other in taken):
            taken.append(found)
    return sorted(taken, key=lambda found: found.start)


def _star_digits(value: str, masked: range) -> str:
    """`value` with its digits (and a resident number's X) at the positions in `masked` replaced by `*`."""
    out: list[str] = []
    index = 0
    for char in value:
        if char.translate(_HALF_WIDTH) in _DIGITLIKE:
            out.append("*" if index in masked else char)
            index += 1
        else:
            out.append(char)
    return "".join(out)
