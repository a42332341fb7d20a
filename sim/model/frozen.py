"""Read-only parameters: what ``resolve`` hands the model cannot be changed after it was checked.

``freeze(params)`` returns a deep copy in which every dataclass instance, list and dict refuses assignment
(``dataclasses.FrozenInstanceError``, an ``AttributeError``; ``TypeError`` for a container), so a scenario cannot
drift from the one that was validated and resolved (a caller that edits ``scenario.params.staffing`` after
``resolve`` would otherwise run unchecked values).  The copies stay what they were for every reader: a frozen
``Params`` is a ``Params`` (``isinstance``, ``dataclasses.fields``, ``asdict``, ``==`` with an unfrozen equal one),
a frozen list is a ``list``, a frozen dict a ``dict``; reading costs nothing more.  They pickle and deep-copy (as
frozen), so worker processes receive them.  ``thaw(scenario.given)`` gives an editable deep copy of the
parameters as given, the way to derive a changed scenario (then ``resolve`` it); ``dataclasses.replace`` on a
frozen instance gives a frozen one.  Writes through ``object.__setattr__``, ``vars()`` or ``list.__setitem__``
called on the base class are not refused: Python cannot stop them, and they are no API.

The parameter classes stay ordinary dataclasses, because Hydra's structured configs cannot be frozen and still
take command-line overrides; the frozen form is a subclass made once per class.
"""
from __future__ import annotations

import copyreg
import dataclasses
from typing import Any, NoReturn, TypeVar

T = TypeVar("T")
WHY = ("the parameters of a resolved scenario are read-only; to change the scenario, edit an editable copy of the "
       "parameters as given (sim.model.frozen.thaw(scenario.given)) and resolve that")
_CLASSES: dict[type, type] = {}


def _refuse(self: Any, *args: Any, **kwargs: Any) -> NoReturn:
    raise TypeError(f"{type(self).__name__}: {WHY}")


class FrozenList(list):  # type: ignore[type-arg]
    """A list that refuses changes.  Calling the class, as ``dataclasses.asdict`` does to rebuild a container, gives
    a plain list: an exported copy is the caller's to edit and serialise (YAML, OmegaConf)."""

    def __new__(cls, *args: Any) -> Any:
        return list(*args)

    @classmethod
    def of(cls, items: Any) -> "FrozenList":
        obj = list.__new__(cls)
        list.__init__(obj, items)
        return obj

    append = extend = insert = remove = pop = clear = sort = reverse = _refuse
    __init__ = __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenList.of, (list(self),)


class FrozenDict(dict):  # type: ignore[type-arg]
    """A dict that refuses changes (calling the class gives a plain dict, as for :class:`FrozenList`)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        return dict(*args, **kwargs)

    @classmethod
    def of(cls, items: Any) -> "FrozenDict":
        obj = dict.__new__(cls)
        dict.__init__(obj, items)
        return obj

    pop = popitem = clear = update = setdefault = _refuse
    __init__ = __setitem__ = __delitem__ = __ior__ = _refuse

    def __reduce__(self) -> tuple[Any, ...]:
        return FrozenDict.of, (dict(self),)


def _rebuild(base: type, state: dict[str, Any]) -> Any:
    obj: Any = object.__new__(frozen_class(base))
    obj.__dict__.update(state)
    return obj


class _FrozenMeta(type):
    """The type of the frozen classes: pickled as "the frozen class of <base>" (made again where unpickled)."""


def frozen_class(base: type) -> type:
    """The read-only subclass of the dataclass ``base`` (one per class)."""
    if base not in _CLASSES:
        fields = [f.name for f in dataclasses.fields(base) if f.compare]

        def __setattr__(self: Any, name: str, value: Any) -> NoReturn:
            raise dataclasses.FrozenInstanceError(f"cannot assign {base.__name__}.{name}: {WHY}")

        def __delattr__(self: Any, name: str) -> NoReturn:
            raise dataclasses.FrozenInstanceError(f"cannot delete {base.__name__}.{name}: {WHY}")

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:  # dataclasses.replace: a frozen copy
            if self.__dict__:  # an existing instance: re-initialising it would change it
                raise dataclasses.FrozenInstanceError(f"cannot re-initialise {base.__name__}: {WHY}")
            self.__dict__.update({k: freeze(v) for k, v in base(*args, **kwargs).__dict__.items()})

        def __eq__(self: Any, other: Any) -> Any:
            if not isinstance(other, base):
                return NotImplemented
            return all(getattr(self, f) == getattr(other, f) for f in fields)

        def __reduce__(self: Any) -> tuple[Any, ...]:
            return _rebuild, (base, dict(self.__dict__))

        _CLASSES[base] = _FrozenMeta(base.__name__, (base,), {
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
        return FrozenDict.of((k, freeze(v)) for k, v in value.items())  # type: ignore[no-any-return]
    if isinstance(value, list):
        return FrozenList.of(freeze(v) for v in value)  # type: ignore[no-any-return]
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


def _reduce_class(cls: Any) -> Any:
    return frozen_class, (cls.__mro__[1],)


copyreg.pickle(_FrozenMeta, _reduce_class)
