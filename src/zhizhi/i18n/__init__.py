"""zhizhi's one message catalogue: every word the pages, the API's `*_zh` texts and the CLI show, in Chinese (the
default) and English.

The catalogue is made of sections, one module of this package each (`core`, `hotline`, ...), every one with a
`messages()` returning its words per locale; a new area of the product adds a module here and nothing else. A key
defined by two sections is refused when the catalogue loads, so one section can never silently overwrite another's word.
"""

from __future__ import annotations

import importlib
import pkgutil

LOCALES = ("zh-CN", "en")


def _load() -> dict[str, dict[str, str]]:
    catalogue: dict[str, dict[str, str]] = {locale: {} for locale in LOCALES}
    owner: dict[tuple[str, str], str] = {}
    for module in sorted(info.name for info in pkgutil.iter_modules(__path__)):
        words = importlib.import_module(f"{__name__}.{module}").messages()
        for locale, entries in words.items():
            if locale not in catalogue:
                known = ", ".join(LOCALES)
                raise ValueError(f"catalogue section {module!r}: unknown locale {locale!r} (known: {known})")
            for key, text in entries.items():
                if (locale, key) in owner:
                    raise ValueError(
                        f"catalogue key {key!r} ({locale}) is defined by both {owner[locale, key]!r} and {module!r}:"
                        " keep it in one section"
                    )
                owner[locale, key] = module
                catalogue[locale][key] = text
    return catalogue


MESSAGES: dict[str, dict[str, str]] = _load()


def translate(locale: str, key: str, **params: object) -> str:
    """The text for `key` in `locale`, falling back to Chinese, then to the key itself."""
    text = MESSAGES.get(locale, {}).get(key) or MESSAGES["zh-CN"].get(key) or key
    return text.format(**params) if params else text


__all__ = ["LOCALES", "MESSAGES", "translate"]
