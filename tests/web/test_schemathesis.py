"""Property-based fuzzing of the JSON API from its OpenAPI schema: no input, valid or not, makes the server fail.

Every operation of `/api/openapi.json` is called with examples generated from its schema (positive: valid by the
schema; negative: invalid on purpose, such as out-of-range integers), as each role in turn with its bearer token,
against the demo city with a few records in it. The examples are few and fixed by a seed, so a run stays within
its time budget and finds the same thing twice; any 5xx answer or exception fails the test with what was sent.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis.errors import Unsatisfiable

from tests.conftest import OPERATOR, Web
from zhizhi.access import create_token

ROLES = {"admin": "admin", "steward": "steward", "handler": "hotline", "leader": "leader", "auditor": "auditor"}
EXAMPLES = {schemathesis.GenerationMode.POSITIVE: 6, schemathesis.GenerationMode.NEGATIVE: 4}
BUDGET_PER_OPERATION = 2.9  # seconds: the 150 s first set for the API's 52 operations, kept per operation as it grows


def tokens(web: Web) -> dict[str, str]:
    """A bearer token per role, for the demo user who holds it."""
    found = {}
    with web.sessions() as session, session.begin():
        for role, username in ROLES.items():
            _, found[role] = create_token(session, OPERATOR, name=f"fuzz-{role}", username=username)
    return found


def _server_errors(web: Web, token: str, operation: Any, mode: schemathesis.GenerationMode) -> list[str]:
    """What made the server fail for generated calls of one operation (empty when nothing did)."""
    failures: list[str] = []

    @seed(13)
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def call(case: Any) -> None:
        try:
            response = case.call(headers={"Authorization": f"Bearer {token}"})
        except Exception as exc:  # the app raised: a server error the client saw as an exception
            failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: {exc!r}"[:500])
            return
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.query} {case.body!r}: {response.text}"[:500])

    try:
        call()
    except Unsatisfiable:  # no invalid input exists for an operation without parameters
        pass
    return failures


def test_no_input_makes_the_api_fail(web: Web) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 30
    started = time.monotonic()
    failures = []
    for role, token in tokens(web).items():
        for operation in operations:
            for mode in EXAMPLES:
                failures += [f"{role}: {failure}" for failure in _server_errors(web, token, operation, mode)]
    elapsed = time.monotonic() - started
    assert failures == []
    budget = BUDGET_PER_OPERATION * len(operations)
    assert elapsed < budget, (
        f"fuzzing {len(operations)} operations took {elapsed:.0f} s (budget {budget:.0f} s): lower EXAMPLES"
    )


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
