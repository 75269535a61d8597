"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from zhizhi.errors import InputError

_hasher = PasswordHasher()


def hash_password(password: str, *, min_length: int) -> str:
    """The argon2id hash of a password that meets the length rule."""
    if len(password) < min_length:
        raise InputError(
            f"Password too short: {len(password)} characters, at least {min_length} needed. Choose a longer one.",
            zh=f"密码太短：{len(password)} 个字符，至少需要 {min_length} 个。",
        )
    return str(_hasher.hash(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the stored hash."""
    try:
        return bool(_hasher.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


# Verified against when the user does not exist, so that a wrong name costs as long as a wrong password.
DUMMY_HASH = _hasher.hash("zhizhi-no-such-user")
