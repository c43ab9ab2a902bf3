"""A failed check of the settings as one line that names the variable and what it accepts.

pydantic reports each failed check with its own wording and the value it got; these helpers say it the
way the README's configuration table does, and never repeat the value of a secret variable.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from pydantic import ValidationError
from pydantic_core import ErrorDetails
from pydantic_settings import SettingsError as SourceError


class SettingsError(ValueError):
    """A setting has a value the platform cannot use."""


# What a variable accepts, where pydantic's wording of the failed check would say less.
_ACCEPTS = {"HIPPIQUE_REQUEST_DEADLINE_S": "must be a number of seconds > 0"}
_ACCEPTS_BY_ERROR = {
    "float_parsing": "must be a number",
    "float_type": "must be a number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_type": "must be a whole number",
    "finite_number": "must be a finite number",
    "bool_parsing": "must be on or off",
}
_BOUNDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}


def _explain(error: ErrorDetails, secret: Collection[str]) -> str:
    """One error as ``NAME must be ..., got 'value'`` (or ``NAME: what is wrong`` when the check's own
    message quotes the value); the value of a variable in ``secret`` is never repeated."""
    name = str(error["loc"][0]) if error["loc"] else ""
    ctx = error.get("ctx") or {}
    kind = error["type"]
    bound = next((key for key in _BOUNDS if key in ctx), None)
    if kind == "value_error":
        text = str(ctx.get("error", error["msg"]))
    elif kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than") and bound:
        text = f"must be {_BOUNDS[bound]} {ctx[bound]:g}"
    elif kind == "literal_error":
        text = f"must be {ctx['expected']}"
    else:
        text = _ACCEPTS_BY_ERROR.get(kind, error["msg"])
    if not name:
        return text
    if not text.startswith("must"):
        return f"{name}: {text}"
    text = _ACCEPTS.get(name, text)
    return f"{name} {text}" + ("" if name in secret else f", got {error['input']!r}")


def describe_errors(exc: ValidationError, secret: Collection[str]) -> str:
    """A validation failure of the settings in one line, without the values of ``secret``."""
    return "; ".join(_explain(error, secret) for error in exc.errors(include_url=False))


@contextmanager
def named_errors(secret: Collection[str]) -> Iterator[None]:
    """Turn a failed check of settings inside the block into one :class:`SettingsError` line."""
    try:
        yield
    except ValidationError as exc:
        raise SettingsError(describe_errors(exc, secret)) from None
    except SourceError as exc:
        raise SettingsError(str(exc)) from None
