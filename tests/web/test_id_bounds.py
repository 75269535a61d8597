"""Every id in a web address is bounded by what the store holds (its INTEGER columns, 32 bits on PostgreSQL): one
beyond it is a 422 in the one error shape, the largest one is looked up (a 404 here), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from tests.conftest import Web
from zhizhi.store import MAX_ID

ADDRESSES = [
    "/api/departments/{n}",
    "/api/codes/review/{n}",
    "/api/codes/coverage/{n}",
    "/api/batches/{n}",
    "/api/batches/{n}/rows",
    "/api/quarantine/{n}",
    "/api/records/{n}",
    "/api/deliveries/{n}",
    "/api/entities/{n}",
    "/api/inspections/targets/{n}",
    "/codes/coverage/{n}",
    "/codes/review/{n}",
    "/batches/{n}",
    "/deliveries/{n}",
    "/deliveries/{n}/proof.json",
    "/entities/{n}",
    "/entities/{n}/qr.svg",
    "/quarantine/{n}",
    "/records/{n}",
    "/tasks/evidence/{n}",
]


def test_an_id_beyond_the_store_is_invalid_input_and_the_largest_it_holds_is_not_found(web: Web) -> None:
    web.login("steward")
    wrong = []
    for address in ADDRESSES:
        beyond = web.client.get(address.format(n=MAX_ID + 1))
        shaped = not address.startswith("/api/") or beyond.json()["error"]["code"] == "invalid_input"
        if beyond.status_code != 422 or not shaped:
            wrong.append(f"{address} with {MAX_ID + 1}: {beyond.status_code} {beyond.text[:120]}")
        largest = web.client.get(address.format(n=MAX_ID))
        if largest.status_code != 404:
            wrong.append(f"{address} with {MAX_ID}: {largest.status_code} {largest.text[:120]}")
    assert not wrong, "\n".join(wrong)


def _integers(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(operation, parameter, schema) of every integer in an address or query of the API's schema."""
    found = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                choices = schema.get("anyOf", [schema])
                for choice in choices:
                    if choice.get("type") == "integer":
                        found.append((f"{method.upper()} {path}", parameter["name"], choice))
    return found


def test_every_integer_in_an_address_or_query_is_bounded_by_what_the_store_holds(web: Web) -> None:
    integers = _integers(web.client.get("/api/openapi.json").json())
    assert len(integers) > 30
    unbounded = [
        f"{op} `{name}`: {schema}" for op, name, schema in integers if schema.get("maximum", MAX_ID + 1) > MAX_ID
    ]
    assert not unbounded, "\n".join(unbounded)
