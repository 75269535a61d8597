"""Checks across a file's keys that run beside each key's own, so that a file's error names every problem at once.

pydantic runs a model's `after` checks only once every key is right, and stops at the first that fails: a source
file with a wrong prefecture, an unknown field, a required field left out and a code list on a text field said the
first and, once that was fixed, the next. A model deriving from `EveryProblem` gives its checks across keys as
`problems_of(raw)`: they read the file's raw mapping (whatever shape it has: a check reads only what it can use) and
run whether the keys' own checks pass or not; their problems join the keys' own in one error.
"""

from __future__ import annotations

from typing import Any, NamedTuple, Self

from pydantic import BaseModel, ModelWrapValidatorHandler, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError


class Problem(NamedTuple):
    """One problem found across keys: where (`loc`, empty for the file as a whole), what, and the value at fault."""

    loc: tuple[str | int, ...]
    message: str
    value: Any = None


class EveryProblem(BaseModel):
    """A model whose checks across keys (`problems_of`) always run, their problems reported with the keys' own."""

    @classmethod
    def problems_of(cls, raw: dict[str, Any]) -> list[Problem]:
        """The problems across keys of `raw`, the mapping as the file gives it (none by default)."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        across = cls.problems_of(data) if isinstance(data, dict) else []
        try:
            model = handler(data)
        except ValidationError as exc:
            if not across:
                raise
            raise _error(cls.__name__, [*map(_detail, exc.errors()), *map(_across, across)]) from None
        if across:
            raise _error(cls.__name__, list(map(_across, across)))
        return model


def _error(title: str, details: list[InitErrorDetails]) -> ValidationError:
    return ValidationError.from_exception_data(title, details)


def _detail(error: Any) -> InitErrorDetails:
    """A key's own error as it was (its kind, place, words and value), to be raised again beside the others."""
    said = PydanticCustomError(error["type"], "{said}", {"said": error["msg"]})
    return InitErrorDetails(type=said, loc=tuple(error["loc"]), input=error.get("input"))


def _across(problem: Problem) -> InitErrorDetails:
    said = PydanticCustomError("across_keys", "{said}", {"said": problem.message})
    return InitErrorDetails(type=said, loc=problem.loc, input=problem.value)
