"""The register's comparison levels in words, a section of the catalogue (`zhizhi.i18n`):
`review.level.COMPARISON.LEVEL`, the reasons a review pair shows for its score.

The Chinese words are the levels' own labels (`zhizhi.resolve.comparisons`, where each level is defined once); the
English ones are here, and the catalogue's test fails when a level has none.
"""

from __future__ import annotations

from zhizhi.resolve.comparisons import COMPARISONS

_EN = {
    "credit_code.same": "same credit code",
    "credit_code.typo": "credit codes one character apart",
    "credit_code.differ": "different credit codes",
    "credit_code.else": "different credit codes (one at least invalid)",
    "reg_no.same": "same registration number",
    "reg_no.differ": "different registration numbers",
    "name.registered": "same registered name (with its division)",
    "name.other_region": "same trade name and trade, region words of two registration areas",
    "name.one_holder_list": "same trade name and trade, its only holder in the register (no code list)",
    "name.one_holder": "same trade name and trade, its only holder in the register",
    "name.same": "same trade name and trade",
    "name.industry_near": "same trade name, trade missing or alike",
    "name.industry_differs": "same trade name, different trade",
    "name.swapped": "same characters in another order",
    "name.homophone": "trade names that sound the same",
    "name.typo": "names one character apart",
    "name.similar": "names mostly alike",
    "name.else": "different names",
    "branch.same": "the same branch",
    "branch.differ": "different branches (or one is the head office)",
    "form.same": "same legal form",
    "form.near": "similar legal forms",
    "form.else": "different legal forms (a company and an individual business, say)",
    "address.same": "same county, same address",
    "address.road_no": "same county, same road and number",
    "address.road_no_near": "same road and number (one names no county)",
    "address.same_road": "same county and road, another number",
    "address.same_county": "same county, another road",
    "address.other_county": "different counties",
    "address.near_same_road": "same road, another number (one side names no county)",
    "address.near_other_road": "another road (one side names no county)",
    "address.else": "different addresses",
    "phone.same": "same phone",
    "phone.same_shared": "same phone (shared by several firms)",
    "phone.else": "different phones",
    "legal_rep.same": "same legal representative",
    "legal_rep.typo": "legal representatives one character apart",
    "legal_rep.else": "different legal representatives",
}


def messages() -> dict[str, dict[str, str]]:
    """Every scored comparison level's words, per locale."""
    levels = {f"{c.name}.{level.key}": level.label for c in COMPARISONS for level in c.scored_levels()}
    return {
        "zh-CN": {f"review.level.{key}": label for key, label in levels.items()},
        "en": {f"review.level.{key}": _EN[key] for key in levels if key in _EN},
    }
