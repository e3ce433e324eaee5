"""The pattern files' tables, each declared once: its keys, their types, defaults and meaning.

One declaration drives the unknown-key check, the validation (every problem names its file and
key, the way yamllint reports rule data) and the values the typed pattern objects are built
from. Readers take (file, key, raw value) and return the checked value or raise PatternError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from rejectscan.errors import PatternError

Reader = Callable[[str, str, Any], Any]


class _Required:
    def __repr__(self) -> str:
        return "required"


REQUIRED: Any = _Required()


@dataclass(frozen=True)
class Key:
    name: str
    read: Reader
    default: Any = REQUIRED
    doc: str = ""


@dataclass(frozen=True)
class Table:
    """A TOML table of a pattern file. `named`: once its `id` is read, keys are reported as
    "<name> '<id>'.<key>" instead of "<name>[<index>].<key>"."""

    name: str
    keys: tuple[Key, ...]
    named: bool = False

    @property
    def allowed(self) -> tuple[str, ...]:
        return tuple(sorted(k.name for k in self.keys))

    def read(self, file: str, where: str, raw: Any) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise PatternError(file, where, "must be a table")
        unknown = sorted(set(raw) - set(self.allowed))
        if unknown:
            raise PatternError(file, f"{where}.{unknown[0]}" if where else unknown[0],
                               f"unknown key; allowed here: {', '.join(self.allowed)}")
        out: dict[str, Any] = {}
        for key in self.keys:
            path = f"{where}.{key.name}" if where else key.name
            if key.name in raw:
                out[key.name] = key.read(file, path, raw[key.name])
            elif key.default is REQUIRED:
                raise PatternError(file, path, "is required")
            else:
                out[key.name] = key.default
            if self.named and key.name == "id":
                where = f"{self.name} {out['id']!r}"
        out["_where"] = where
        return out


# --- readers ------------------------------------------------------------------------------------

def string(file: str, key: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PatternError(file, key, "must be a non-empty string")
    return value


def strings(file: str, key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PatternError(file, key, "must be a list of non-empty strings")
    return tuple(value)


def ident(file: str, key: str, value: Any) -> str:
    value = string(file, key, value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", value):
        raise PatternError(file, key, f"{value!r} is not an id (lowercase letters, digits, . _ -)")
    return value


def integer(low: int, high: int) -> Reader:
    def read(file: str, key: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise PatternError(file, key, f"must be a whole number from {low} to {high}")
        return value

    return read


def number(low: float, high: float) -> Reader:
    def read(file: str, key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise PatternError(file, key, f"must be a number from {low:g} to {high:g}")
        return float(value)

    return read


def one_of(*choices: str) -> Reader:
    def read(file: str, key: str, value: Any) -> str:
        if value not in choices:
            raise PatternError(file, key, f"must be one of {', '.join(choices)}")
        return value

    return read


def each(reader: Reader) -> Reader:
    """A list whose items are each read by `reader` (errors name the item's index)."""
    def read(file: str, key: str, value: Any) -> tuple:
        if not isinstance(value, list):
            raise PatternError(file, key, "must be a list")
        return tuple(reader(file, f"{key}[{i}]", v) for i, v in enumerate(value))

    return read


def table(spec: Table) -> Reader:
    def read(file: str, key: str, value: Any) -> dict[str, Any]:
        return spec.read(file, key, value)

    return read


def tables(spec: Table) -> Callable[[str, Any], list[dict[str, Any]]]:
    """An array of tables ([[name]]), each read by `spec`."""
    def read(file: str, value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, dict) for v in value):
            raise PatternError(file, spec.name, f"must be an array of tables ([[{spec.name}]])")
        return [spec.read(file, f"{spec.name}[{i}]", raw) for i, raw in enumerate(value)]

    return read
