"""Password rules and hashing with argon2id."""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from zhizhi.errors import InputError

MIN_LENGTH_FLOOR = 12  # `security.password_min_length` may be raised, never set below this
MAX_LENGTH = 256  # longer input is refused before hashing: argon2 would spend its time on an attacker's megabytes

_hasher = PasswordHasher()


def check_password(password: str, *, min_length: int) -> None:
    """Refuse a password that is blank, too short, too long, or one of the well-known common passwords."""
    if not password.strip():
        raise InputError(
            "The password is empty or only spaces. Choose one with letters, digits or signs.",
            zh="密码不能为空或只含空格，请另选一个。",
        )
    if len(password) < min_length:
        raise InputError(
            f"Password too short: {len(password)} characters, at least {min_length} needed. Choose a longer one.",
            zh=f"密码太短：{len(password)} 个字符，至少需要 {min_length} 个。",
        )
    if len(password) > MAX_LENGTH:
        raise InputError(
            f"Password too long: {len(password)} characters, at most {MAX_LENGTH}. Choose a shorter one.",
            zh=f"密码太长：{len(password)} 个字符，最多 {MAX_LENGTH} 个。",
        )
    if password.strip().lower() in common_passwords():
        raise InputError(
            "This password is one of the most common ones and is guessed first. Choose another: a few unrelated "
            "words make a long password that is easy to remember.",
            zh="该密码属于最常见的密码，很容易被猜中，请另选一个（可用几个不相关的词组成）。",
        )


def hash_password(password: str, *, min_length: int) -> str:
    """The argon2id hash of a password that passes `check_password`."""
    check_password(password, min_length=min_length)
    return str(_hasher.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash (a password longer than any accepted one never does)."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of well-known weak passwords, lower-cased."""
    text = files("zhizhi.access").joinpath("data/common-passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


@cache
def dummy_hash() -> str:
    """A hash to verify against when the user does not exist, so a wrong name costs as long as a wrong password;
    made on first use (hashing at import would slow every command's start by a third of a second)."""
    return str(_hasher.hash("zhizhi-no-such-user"))
