"""zhizhi's one message catalogue: every word the pages, the API's `*_zh` texts and the CLI show, in Chinese (the
default) and English.

The pages speak the visitor's language (`translate`); the CLI speaks the terminal's (`cli_locale`).

The catalogue is made of sections, one module of this package each (`core`, `hotline`, ...), every one with a
`messages()` returning its words per locale; a new area of the product adds a module here and nothing else. A key
defined by two sections is refused when the catalogue loads, so one section can never silently overwrite another's word.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Mapping

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


def cli_locale(environ: Mapping[str, str] | None = None) -> str:
    """The terminal's language: Chinese (`zh-CN`) when its locale is a Chinese one, else English (`en`).

    The locale is the first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set, as POSIX programs choose it, and it is
    Chinese when it starts with `zh` (`zh_CN.UTF-8`, `zh_TW`, `zh`). Unset, `C` or `POSIX` mean English: such a
    terminal often cannot show Chinese characters, and English is what scripts and logs expect.
    """
    env = os.environ if environ is None else environ
    chosen = next((env[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG") if env.get(name)), "")
    return "zh-CN" if chosen.lower().startswith("zh") else "en"


__all__ = ["LOCALES", "MESSAGES", "cli_locale", "translate"]
