"""Personal data stays out of the server's logs: a failed statement's error names the statement, not its values."""

from __future__ import annotations

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.store.tables import User


def test_a_failed_statements_error_does_not_quote_its_values(city: sessionmaker[Session]) -> None:
    """An error no handler expects is logged whole (`zhizhi.web`, the worker's log) and shown by `--debug`: with the
    statement's parameters in it, a record's ID numbers and phones (or a password's hash) would land in the log."""
    phone, name = "13812345678", "身份证450202199001011237"
    with city() as session, session.begin(), pytest.raises(IntegrityError) as raised:
        row = {"username": "zhongnan", "display_name": name, "department_id": 1,
               "password_hash": "$argon2id$secret-hash", "phone": phone, "is_active": True}  # fmt: skip
        session.execute(insert(User), [row])
    text = str(raised.value)
    assert "INSERT INTO users" in text  # the statement is still named
    assert phone not in text and "450202199001011237" not in text and "secret-hash" not in text
