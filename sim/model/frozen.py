"""Read-only parameters: what ``resolve`` hands the model cannot be changed after it was checked.

``freeze(params)`` returns a deep copy in which every dataclass instance, list and dict refuses assignment
(``dataclasses.FrozenInstanceError``, an ``AttributeError``; ``TypeError`` for a container), so a scenario cannot
drift from the one that was validated and resolved (a caller that edits ``scenario.params.staffing`` after
``resolve`` would otherwise run unchecked values).  The copies stay what they were for every reader: a frozen
``Params`` is a ``Params`` (``isinstance``, ``dataclasses.fields``, ``asdict``, ``==`` with an unfrozen equal one),
a frozen list is a ``list``, a frozen dict a ``dict``; reading costs nothing more.  They pickle and deep-copy (as
frozen), so worker processes receive them.  ``thaw`` gives an editable deep copy, the way to derive a changed
scenario (then ``resolve`` it again); ``dataclasses.replace`` on a frozen instance gives a frozen one.

The parameter classes stay ordinary dataclasses, because Hydra's structured configs cannot be frozen and still
take command-line overrides; the frozen form is a subclass made once per class.
"""
from __future__ import annotations

import dataclasses
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
WHY = ("the parameters of a resolved scenario are read-only; edit an editable copy (sim.model.frozen.thaw) and "
       "resolve it again")
_CLASSES: dict[type, type] = {}


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"{type(self).__name__}: {WHY}")


class FrozenList(list):  # type: ignore[type-arg]
    """A list that refuses changes."""

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenList, (list(self),)


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that refuses changes."""

    pop = popitem = clear = update = setdefault = _refuse
    __setitem__ = __delitem__ = __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenDict, (dict(self),)


def _rebuild(base: type, state: dict[str, Any]) -> Any:
    obj: Any = object.__new__(frozen_class(base))
    obj.__dict__.update(state)
    return obj


def frozen_class(base: type) -> type:
    """The read-only subclass of the dataclass ``base`` (one per class)."""
    if base not in _CLASSES:
        fields = [f.name for f in dataclasses.fields(base) if f.compare]

        def __setattr__(self: Any, name: str, value: Any) -> NoReturn:
            raise dataclasses.FrozenInstanceError(f"cannot assign {base.__name__}.{name}: {WHY}")

        def __delattr__(self: Any, name: str) -> NoReturn:
            raise dataclasses.FrozenInstanceError(f"cannot delete {base.__name__}.{name}: {WHY}")

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # dataclasses.replace: a frozen copy
            self.__dict__.update(base(*args, **kwargs).__dict__)

        def __eq__(self: Any, other: Any) -> Any:
            if not isinstance(other, base):
                return NotImplemented
            return all(getattr(self, f) == getattr(other, f) for f in fields)

        def __reduce__(self: Any) -> tuple[Any, ...]:
            return _rebuild, (base, dict(self.__dict__))

        _CLASSES[base] = type(base.__name__, (base,), {
            "__setattr__": __setattr__, "__delattr__": __delattr__, "__init__": __init__, "__eq__": __eq__,
            "__hash__": None, "__reduce__": __reduce__, "__qualname__": base.__qualname__,
            "__doc__": f"{base.__name__}, read-only (sim.model.frozen)."})
    return _CLASSES[base]


def freeze(value: T) -> T:
    """A read-only deep copy of ``value`` (dataclasses, lists, tuples and dicts all the way down)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return value
        base = type(value).__mro__[1] if is_frozen(value) else type(value)
        return _rebuild(base, {k: freeze(v) for k, v in value.__dict__.items()})  # type: ignore[no-any-return]
    if isinstance(value, dict):
        return FrozenDict((k, freeze(v)) for k, v in value.items())  # type: ignore[return-value]
    if isinstance(value, list):
        return FrozenList(freeze(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(freeze(v) for v in value)  # type: ignore[return-value]
    return value


def is_frozen(value: Any) -> bool:
    """True if ``value`` is a frozen dataclass, list or dict made here."""
    return type(value) in _CLASSES.values() or isinstance(value, (FrozenList, FrozenDict))



def thaw(value: T) -> T:
    """An editable deep copy of ``value`` (plain dataclasses, lists and dicts all the way down)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if type(value).__dataclass_params__.frozen:  # type: ignore[attr-defined]
            return value
        obj: Any = object.__new__(type(value).__mro__[1] if is_frozen(value) else type(value))
        obj.__dict__.update({k: thaw(v) for k, v in value.__dict__.items()})
        return obj  # type: ignore[no-any-return]
    if isinstance(value, dict):
        return {k: thaw(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, list):
        return [thaw(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(thaw(v) for v in value)  # type: ignore[return-value]
    return value
