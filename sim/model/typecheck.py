"""Every parameter holds the type its field names, checked before any rule on values (issue 21).

Hydra's structured config types a command line's values, but a library caller builds :class:`Params` by hand, and a
float headcount, a string seed or a list where a table belongs used to slip through validation into the model (a
float headcount was accepted; a string seed failed with a bare ``TypeError``).  :func:`basic_problems` walks the
parameter tree against the dataclasses' annotations and names each wrong value by its dotted key; then it reports
NaN and infinite numbers, which pass every range check.
"""
from __future__ import annotations

import functools
import typing
from dataclasses import fields, is_dataclass
from typing import Any, Dict, Iterator, List, Optional

import numpy as np

from sim.model.params import Params
from sim.model.run_params import non_finite

NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _what(kind: Any) -> str:
    """How a message names an allowed type."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is typing.Union:
        return " or ".join("null" if a is type(None) else _what(a) for a in args)
    if origin in (list, tuple):
        return f"a list, each {_what(args[0])}" if args else "a list"
    if origin is dict:
        return f"a table of names, each {_what(args[1])}" if args else "a table of names"
    if isinstance(kind, type) and is_dataclass(kind):
        return f"a table of {kind.__name__} settings"
    return NAMES.get(kind, getattr(kind, "__name__", str(kind)))


def wrong_types(value: Any, kind: Any, key: str) -> Iterator[str]:
    """Each value under ``key`` whose type is not ``kind`` (a field annotation), as one message."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any:
        return
    if origin is typing.Union:
        if value is None and type(None) in args:
            return
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            yield from wrong_types(value, inner[0], key)
            return
    ok: bool
    if origin in (list, tuple):
        ok = isinstance(value, (list, tuple))
        if ok and args:
            for i, v in enumerate(value):
                yield from wrong_types(v, args[0], f"{key}[{i}]")
    elif origin is dict:
        ok = isinstance(value, dict)
        if ok and args:
            for k, v in value.items():
                if not isinstance(k, str):
                    yield f"{key}: the name {k!r}; allowed: a string (not {type(k).__name__})"
                else:
                    yield from wrong_types(v, args[1], f"{key}.{k}")
    elif isinstance(kind, type) and is_dataclass(kind):
        ok = isinstance(value, kind)
        if ok:
            hints = _hints(kind)
            for f in fields(value):  # metadata["type"]: what a field typed Any for Hydra must be (params.year_field)
                yield from wrong_types(getattr(value, f.name), f.metadata.get("type", hints[f.name]),
                                       f"{key}.{f.name}" if key else f.name)
    elif kind is float:  # numpy's scalars too (a caller's array element)
        ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    elif kind is bool:
        ok = isinstance(value, (bool, np.bool_))
    else:
        ok = isinstance(value, kind)
    if not ok:
        yield f"{key}={value!r}; allowed: {_what(kind)} (not {type(value).__name__})"


def basic_problems(params: Params) -> list[str]:
    """Wrong types, or else NaN and infinite numbers: each breaks the value rules that follow, so they come alone."""
    if not isinstance(params, Params):
        return [f"params={type(params).__name__}; allowed: a Params (sim.model.params.Params, or sim.config.to_params)"]
    out = list(wrong_types(params, Params, ""))
    return out or [f"{k}={v}: not a finite number; allowed: a finite number" for k, v in non_finite(params)]


def unknown_key(data: Any, schema: Any, path: str) -> Optional[str]:
    """The first key in ``data`` that the dataclass ``schema`` does not define (``+key=`` overrides)."""
    if is_dataclass(schema) and isinstance(data, dict):
        hints = typing.get_type_hints(schema)
        for k, v in data.items():
            if k not in hints:
                allowed = ", ".join(hints)
                return f"{path}{k}: not a parameter of fms-sim; allowed here: {allowed}"
            found = unknown_key(v, hints[k], f"{path}{k}.")
            if found:
                return found
    elif typing.get_origin(schema) in (dict, Dict) and isinstance(data, dict):
        inner = typing.get_args(schema)[1]
        for k, v in data.items():
            found = unknown_key(v, inner, f"{path}{k}.")
            if found:
                return found
    elif typing.get_origin(schema) in (list, List) and isinstance(data, list):
        inner = typing.get_args(schema)[0]
        for i, v in enumerate(data):
            found = unknown_key(v, inner, f"{path}{i}.")
            if found:
                return found
    return None
