"""Ticket texts as the desk compares them: normalised (phone and ID numbers out, only letters, digits and Chinese
characters kept), cut into character bigram and trigram keys, and the respondents' names, channels' categories and
places in the form they are compared in (`zhizhi.hotline.similar` weighs them)."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import numpy.typing as npt

from zhizhi.hotline.arrays import distinct
from zhizhi.privacy.detect import find_personal

ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9])")
PHONE = re.compile(r"(?<![0-9])(?:1[3-9][0-9](?:[ -]?[0-9]{4}){2}|0[0-9]{2,3}[ -]?[0-9]{7,8}|[0-9]{7,8})(?![0-9])")
NOT_TEXT = re.compile(r"[^0-9A-Za-z\u3400-\u9fff]+")
MAYBE_PERSONAL = re.compile(r"[0-9@\uff10-\uff19\uff20]")
"""What every kind of personal data has (`zhizhi.privacy.detect`: a number's digits, half- or full-width, or an
e-mail address's @): a text without any has none to find."""
REMARK = re.compile(r"（[^）]*）")
PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{2,3}省)?(?:[\u4e00-\u9fff]{2,3}市)?(?:[\u4e00-\u9fff]{2,3}[区县])?")
PLACE_BEFORE = re.compile(r"(?:[\u4e00-\u9fff]{2}省)?(?:[\u4e00-\u9fff]{2}市)?(?:[\u4e00-\u9fff]{2}[区县])?$")
"""The place written before a business's name in a text (two characters each: the common case, and never the
character before the place)."""
PLACE_AROUND = re.compile(
    r"^(?:[\u4e00-\u9fff]{2,3}(?:省|壮族自治区|自治区))?(?:[\u4e00-\u9fff]{2,3}市)?(?:[\u4e00-\u9fff]{2,3}[区县])?|"
    r"(?:附近|旁边|对面|门口|一带)$"
)
"""The county and above in front of a place, and the words for `near it` after."""
GOLDEN = np.uint64(0x9E3779B97F4A7C15)
U32 = np.uint32


def normalise_text(text: str) -> str:
    """The text as compared: personal data out (what lists mask: `+86` mobiles, landlines, cards, e-mail addresses;
    the phrases shown beside a masked text are cut from this), NFKC (full-width to half-width), ID and phone numbers
    removed, only letters, digits and Chinese characters kept."""
    text = unicodedata.normalize("NFKC", _without_personal(text or ""))
    text = ID_NUMBER.sub(" ", text)
    text = PHONE.sub(" ", text)
    return NOT_TEXT.sub("", text)


def _without_personal(text: str) -> str:
    if not MAYBE_PERSONAL.search(text):
        return text
    pieces, done = [], 0
    for found in find_personal(text):
        pieces += [text[done : found.start], " "]
        done = found.end
    return "".join(pieces) + text[done:]


def ngrams(text: str) -> set[str]:
    """The character bigrams and trigrams of a normalised text (a one-character text is its own gram)."""
    grams = {text[i : i + 2] for i in range(len(text) - 1)} | {text[i : i + 3] for i in range(len(text) - 2)}
    return grams or ({text} if text else set())


def _mix(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint32]:
    return ((values * GOLDEN) >> np.uint64(32)).astype(U32)


def gram_keys(text: str) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """A normalised text's trigram keys and its bigram keys (32 bits each, unique, sorted; the same gram has the same
    key in every process). A one-character text is its own bigram."""
    codes = _codes(text)
    if codes.size < 2:
        return np.empty(0, dtype=U32), distinct(_mix(codes | np.uint64(1 << 63)))
    bi = _mix((codes[:-1] << np.uint64(21)) | codes[1:] | np.uint64(1 << 63))
    return distinct(trigram_keys(text, codes)), distinct(bi)


def gram_keys_many(texts: list[str]) -> list[tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]]:
    """`gram_keys` of each of many texts, cut and sorted all at once (the same keys as one text at a time)."""
    lengths = np.array([len(text) for text in texts], dtype=np.int64)
    codes = _codes("".join(texts))
    owner = np.repeat(np.arange(len(texts)), lengths)
    left = np.cumsum(lengths)[owner] - np.arange(codes.size)  # the characters from each to its text's end
    tri = _mix((codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:])
    bi = _mix((codes[:-1] << np.uint64(21)) | codes[1:] | np.uint64(1 << 63))
    alone = lengths[owner] == 1  # a one-character text is its own bigram
    is_tri, is_bi = left[:-2] >= 3, left[:-1] >= 2
    tris = _by_text(owner[:-2][is_tri], tri[is_tri], len(texts))
    bis = _by_text(np.concatenate([owner[:-1][is_bi], owner[alone]]),
                   np.concatenate([bi[is_bi], _mix(codes[alone] | np.uint64(1 << 63))]), len(texts))  # fmt: skip
    return list(zip(tris, bis, strict=True))


def _by_text(owner: npt.NDArray[np.intp], keys: npt.NDArray[np.uint32], texts: int) -> list[npt.NDArray[np.uint32]]:
    """Each text's distinct keys, sorted (`owner`: the text of each key)."""
    both = distinct((owner.astype(np.uint64) << np.uint64(32)) | keys.astype(np.uint64))
    bounds = np.searchsorted(both >> np.uint64(32), np.arange(texts + 1, dtype=np.uint64)).tolist()
    low = both.astype(U32)
    return [low[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def trigram_keys(text: str, codes: npt.NDArray[np.uint64] | None = None) -> npt.NDArray[np.uint32]:
    """The key of each trigram of a normalised text, in the order of the text (repeats kept)."""
    codes = _codes(text) if codes is None else codes
    return _mix((codes[:-2] << np.uint64(42)) | (codes[1:-1] << np.uint64(21)) | codes[2:])


def _codes(text: str) -> npt.NDArray[np.uint64]:
    return np.frombuffer(text.encode("utf-32-le"), dtype=U32).astype(np.uint64)


def respondent_key(name: str | None) -> str:
    """A respondent's name as compared: bracketed remarks, punctuation and spaces dropped
    (龙城粉店（城中店） -> 龙城粉店); a placeholder that names no business (无, 不详, 商家) is no name."""
    text = unicodedata.normalize("NFKC", name or "").replace("(", "（").replace(")", "）")
    key = NOT_TEXT.sub("", REMARK.sub("", text))
    return "" if key.lower() in NO_RESPONDENT else key


NO_RESPONDENT = frozenset({"无", "暂无", "没有", "不详", "未知", "不清楚", "不知道", "未提供", "空", "个人", "商家",
                           "某商家", "某公司", "某店", "其他", "其它", "null", "none", "na"})  # fmt: skip
"""What a channel's respondent column holds when the caller named no business (a consultation's 被反映单位 `无`):
two tickets that each say 无 are not about one business."""


def respondent_core(key: str) -> str:
    """A respondent key without the province, city and district in front (柳州市城中区龙城螺蛳粉店 -> 龙城螺蛳粉店),
    unless fewer than four characters would be left."""
    core = PLACE.sub("", key)
    return core if len(core) >= 4 else key


def without_respondent(text: str, respondent: str | None) -> str:
    """A normalised text without its respondent's name (and the place written before it): the name is weighed as
    the respondent, and counted once; what is left says what the grievance is about."""
    if not respondent:
        return text
    for name in dict.fromkeys((respondent, respondent_core(respondent))):
        while (at := text.find(name)) >= 0:
            before = text[:at]
            place = PLACE_BEFORE.search(before)
            text = before[: place.start() if place else at] + text[at + len(name) :]
    return text


def label_key(label: str | None) -> str:
    """A channel's category as compared: NFKC, only letters, digits and Chinese characters (质量 问题 -> 质量问题)."""
    return NOT_TEXT.sub("", unicodedata.normalize("NFKC", label or ""))


def place_key(place: str | None) -> str:
    """A place as compared: without the province, city and county in front and words such as 附近 after
    (广西柳州市城中区文昌路12号附近 -> 文昌路12号); empty when no more than the county is given."""
    key = PLACE_AROUND.sub("", label_key(place))
    return key if len(key) >= 3 else ""


def same_respondent(one: str, other: str) -> bool:
    """Two respondent keys name the same business: equal, or one (of 4 characters at least) inside the other, as
    柳州市城中区龙城螺蛳粉店 and 龙城螺蛳粉店."""
    if one == other:
        return bool(one)
    if len(one) > len(other):
        one, other = other, one
    return len(one) >= 4 and one in other


def character_bits(text: str) -> int:
    """A text's characters as bits of 64 (a text inside another has no bit the other lacks)."""
    bits = 0
    for character in set(text):
        bits |= 1 << (ord(character) & 63)
    return bits
