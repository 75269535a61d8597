"""Password rules: long enough, not blank, not one of the well-known common passwords; checked case-insensitively."""

from __future__ import annotations

from importlib.resources import files

import pytest
from pydantic import ValidationError

from zhizhi.access.passwords import MAX_LENGTH, check_password, common_passwords, hash_password, verify_password
from zhizhi.config.models import SecurityConfig
from zhizhi.demo import DEMO_PASSWORD
from zhizhi.errors import InputError


@pytest.mark.parametrize(
    ("password", "match"),
    [
        (" " * 16, "empty or only spaces"),
        ("\t \u3000" * 6, "empty or only spaces"),
        ("eleven-char", "too short: 11 characters, at least 12"),
        ("x" * (MAX_LENGTH + 1), "too long"),
        ("123456789012", "most common"),
        ("password1234", "most common"),
        ("PassWord1234", "most common"),
        ("qwertyuiop12", "most common"),
        ("1Q2W3E4R5T6Y", "most common"),
        ("woaini123456", "most common"),
        ("zhizhi123456", "most common"),
        ("  qwerty123456  ", "most common"),
    ],
)
def test_weak_passwords_are_refused(password: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        hash_password(password, min_length=12)


def test_short_common_passwords_are_on_the_list_too() -> None:
    with pytest.raises(InputError, match="most common"):
        check_password("woaini1314", min_length=8)


@pytest.mark.parametrize("password", ["correct horse battery", DEMO_PASSWORD, "柳州螺蛳粉配酸笋要二两米粉"])
def test_good_passwords_are_accepted(password: str) -> None:
    assert verify_password(hash_password(password, min_length=12), password)


def test_the_list_ships_with_the_package_and_is_large() -> None:
    assert files("zhizhi.access").joinpath("data/common-passwords.txt").is_file()
    assert len(common_passwords()) >= 1000
    assert all(p == p.lower() for p in common_passwords())


def test_the_minimum_length_is_twelve_and_cannot_be_lowered() -> None:
    assert SecurityConfig().password_min_length == 12
    with pytest.raises(ValidationError, match="greater than or equal to 12"):
        SecurityConfig(password_min_length=10)
