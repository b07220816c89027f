"""Declared, validated hyper-parameters (scikit-learn's contract: every knob named, typed, checked)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


class ParamError(ValueError):
    """A parameter name or value that a task or method does not accept."""


def did_you_mean(name: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """A ' Did you mean ...?' hint with the close candidate names, else the nearest ones, else ''."""
    close = difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.5)
    if close:
        return f" Did you mean {', '.join(repr(c) for c in close)}?"
    nearest = difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.0)
    return f" Nearest names: {', '.join(repr(c) for c in nearest)}." if nearest else ""


@dataclass(frozen=True)
class LogUniform:
    """A search distribution: log-uniform on [low, high] (learning rates, penalty weights)."""

    low: float
    high: float

    def sample(self, rng: Any) -> float:
        return float(math.exp(rng.uniform(math.log(self.low), math.log(self.high))))


@dataclass(frozen=True)
class Uniform:
    """A search distribution: uniform on [low, high]."""

    low: float
    high: float

    def sample(self, rng: Any) -> float:
        return float(rng.uniform(self.low, self.high))


@dataclass(frozen=True)
class Choice:
    """A search distribution: one of `options`, equally likely (widths, depths, on/off)."""

    options: tuple[Any, ...]

    def sample(self, rng: Any) -> Any:
        return self.options[int(rng.integers(len(self.options)))]


Search = LogUniform | Uniform | Choice

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Param:
    """One hyper-parameter: default, help text and constraints.

    The type is inferred from the default (bool, int, float, str or a tuple of those). Tuples are written
    on the command line with 'x' between items (``hidden=800x800``) because ',' separates grid values.
    """

    default: Any
    help: str = ""
    choices: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    nullable: bool = False
    search: Search | None = None  # where `--tune` draws this parameter from; None: not tuned

    @property
    def type(self) -> type:
        return type(self.default) if not isinstance(self.default, list) else tuple

    def draw(self, name: str, rng: Any) -> Any:
        """A random value from `search`, validated (an integer parameter gets a rounded draw)."""
        value = self.search.sample(rng)
        if self.type is int and isinstance(value, float):
            value = round(value)
        return self.validate(name, value)

    def validate(self, name: str, value: Any) -> Any:
        """Return ``value`` coerced to this parameter's type, or raise ParamError saying what is wrong."""
        if value is None or (isinstance(value, str) and value.lower() == "none" and self.nullable):
            if self.nullable or self.default is None:
                return None
            raise ParamError(f"parameter {name!r} may not be None")
        value = self._coerce(name, value)
        if self.choices is not None and value not in self.choices:
            raise ParamError(f"parameter {name!r}={value!r} is not one of {list(self.choices)}")
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, float) and not math.isfinite(item):
                raise ParamError(f"parameter {name!r}={value!r} must be finite")
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                if self.low is not None and item < self.low:
                    raise ParamError(f"parameter {name!r}={value!r} is below its minimum {self.low}")
                if self.high is not None and item > self.high:
                    raise ParamError(f"parameter {name!r}={value!r} is above its maximum {self.high}")
        return value

    def _coerce(self, name: str, value: Any) -> Any:
        target = self.type
        if self.default is None:  # an optional parameter without a typed default: keep as given
            return value
        try:
            if target is tuple:
                items = value.split("x") if isinstance(value, str) else list(value)
                proto = self.default[0] if len(self.default) else items[0]
                return tuple(_scalar(type(proto), item) for item in items)
            return _scalar(target, value)
        except (TypeError, ValueError) as err:
            raise ParamError(
                f"parameter {name!r}: cannot read {value!r} as {target.__name__} ({err})"
            ) from None


def _scalar(target: type, value: Any) -> Any:
    if target is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError("expected true/false")
    if target is int:
        if isinstance(value, bool):
            raise ValueError("expected an integer, got a bool")
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError("expected an integer")
            return int(value)
        return int(str(value).strip())
    if target is float:
        if isinstance(value, bool):
            raise ValueError("expected a number, got a bool")
        return float(value)
    if target is str:
        return str(value)
    raise TypeError(f"unsupported parameter type {target.__name__}")


def resolve_params(
    owner: str,
    schema: Mapping[str, Param],
    *layers: Mapping[str, Any],
) -> dict[str, Any]:
    """Defaults, then each layer of overrides in order (profile, user grid), all validated."""
    values = {name: spec.default for name, spec in schema.items()}
    for layer in layers:
        for name, value in layer.items():
            if name not in schema:
                hint = did_you_mean(name, list(schema))
                known = ", ".join(sorted(schema)) or "none"
                raise ParamError(f"{owner} has no parameter {name!r}.{hint} Known parameters: {known}.")
            values[name] = value
    return {name: schema[name].validate(name, value) for name, value in values.items()}
