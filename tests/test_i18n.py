"""The one message catalogue: its sections' words for record types, fields, values and reasons in both languages,
and the terminal's language chosen from the locale as POSIX programs choose it."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.i18n import LOCALES, MESSAGES, cli_locale, translate
from zhizhi.ingest.validate.results import REASONS
from zhizhi.records import record_types
from zhizhi.resolve.comparisons import COMPARISONS


@pytest.mark.parametrize(
    ("environ", "locale"),
    [
        ({}, "en"),
        ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LANG": "zh_TW.UTF-8"}, "zh-CN"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "POSIX"}, "en"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LANG": "zh_CN.UTF-8", "LC_MESSAGES": "en_US.UTF-8"}, "en"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LC_ALL": "zh_CN.GB18030", "LC_MESSAGES": "C", "LANG": "C"}, "zh-CN"),
        ({"LC_ALL": "", "LANG": "zh_CN.UTF-8"}, "zh-CN"),  # an empty variable counts as unset
    ],
)
def test_the_terminal_speaks_the_language_its_locale_names(environ: dict[str, str], locale: str) -> None:
    assert cli_locale(environ) == locale


def test_a_command_errs_in_the_terminals_language(workspace: Workspace) -> None:
    runner = CliRunner()
    args = ["-w", str(workspace.root), "user", "disable", "nobody"]
    chinese = runner.invoke(app, args, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"})
    english = runner.invoke(app, args, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"})
    assert chinese.exit_code == english.exit_code == 1
    assert chinese.stderr.startswith("错误：") and chinese.stderr.count("\n") == 1
    assert english.stderr.startswith("error: ") and not any("\u4e00" <= c <= "\u9fff" for c in english.stderr)


def test_every_record_type_field_value_reason_and_comparison_level_has_words_in_both_languages() -> None:
    keys = {f"reason.{code}" for code in REASONS}
    keys |= {f"review.level.{c.name}.{level.key}" for c in COMPARISONS for level in c.scored_levels()}
    for kind in record_types().values():
        keys.add(f"record_type.{kind.name}")
        for field in kind.fields:
            keys.add(f"field.{kind.name}.{field.name}")
            keys.update(f"value.{kind.name}.{field.name}.{value}" for value in field.values)
    for locale in LOCALES:
        missing = sorted(keys - set(MESSAGES[locale]))
        assert not missing, f"{locale}: {missing}"
    assert translate("zh-CN", "field.entity.industry_code") == "行业代码"
    assert translate("en", "value.entity.status.moved_out") == "Moved out"
    assert translate("en", "reason.date.invalid") == "Not a date"


def test_every_rfc5280_revocation_reason_has_words_in_both_languages() -> None:
    from cryptography import x509

    from zhizhi.seals import revocation_words

    for reason in x509.ReasonFlags:
        for locale in LOCALES:
            assert f"seal.revocation.{reason.name}" in MESSAGES[locale], (locale, reason)
    assert revocation_words("key_compromise") == ("key compromised", "密钥泄露")
    assert revocation_words("ca_compromise")[1] == "签发机构密钥泄露"
