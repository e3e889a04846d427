"""``@record``: a dataclass whose methods are made without compiling code.

``@dataclass`` writes the source of ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` for every class and compiles each (Python 3.11: six
``exec`` calls, about 1 ms a class). limitwatch declares about seventy value classes, and the
headless commands (``status``, ``statusline``) paid some 45 ms at every start for that alone,
a third of a warm ``status``. ``@record`` lets ``dataclasses`` do the field bookkeeping (so
``dataclasses.fields``, ``replace``, ``asdict`` and field metadata work as before) with
``init=False, repr=False, eq=False``, which compiles nothing, and gives the class methods
shared by every record, set up from its fields.

Behaviour is a dataclass's: positional or keyword arguments, defaults and default factories,
``__post_init__``, equality and hash over the compared fields, frozen by default
(``FrozenInstanceError``), ``__match_args__``. Not supported (nothing here uses them):
``kw_only``, ``InitVar``, ``slots``, ordering. A class that is created in a hot loop can stay
a plain ``@dataclass``: its generated ``__init__`` is faster per instance.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")

_REQUIRED, _VALUE, _FACTORY = 0, 1, 2
_MISSING = dataclasses.MISSING


def _spec(f: dataclasses.Field[Any]) -> tuple[str, int, Any]:
    if f.default is not _MISSING:
        return (f.name, _VALUE, f.default)
    if f.default_factory is not _MISSING:
        return (f.name, _FACTORY, f.default_factory)
    return (f.name, _REQUIRED, None)


def _init_for(cls: type) -> Callable[..., None]:
    every = dataclasses.fields(cls)
    given = tuple(_spec(f) for f in every if f.init)
    derived = tuple(_spec(f) for f in every if not f.init and f.default is not _MISSING)
    derived += tuple(_spec(f) for f in every if not f.init and f.default_factory is not _MISSING)
    position = {name: i for i, (name, _, _) in enumerate(given)}
    post_init = hasattr(cls, "__post_init__")
    name_of = cls.__qualname__
    setter = object.__setattr__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        count = len(args)
        if count > len(given):
            raise TypeError(
                f"{name_of}.__init__() takes {len(given) + 1} positional arguments "
                f"but {count + 1} were given"
            )
        for key in kwargs:
            at = position.get(key)
            if at is None:
                raise TypeError(f"{name_of}.__init__() got an unexpected keyword argument {key!r}")
            if at < count:
                raise TypeError(f"{name_of}.__init__() got multiple values for argument {key!r}")
        for (name, _, _), value in zip(given, args, strict=False):
            setter(self, name, value)
        for name, kind, default in given[count:]:
            if name in kwargs:
                value = kwargs[name]
            elif kind == _VALUE:
                value = default
            elif kind == _FACTORY:
                value = default()
            else:
                raise TypeError(f"{name_of}.__init__() missing required argument: {name!r}")
            setter(self, name, value)
        for name, kind, default in derived:
            setter(self, name, default() if kind == _FACTORY else default)
        if post_init:
            self.__post_init__()

    return __init__


def _values_for(cls: type, which: Callable[[dataclasses.Field[Any]], bool]) -> Callable[[Any], Any]:
    names = [f.name for f in dataclasses.fields(cls) if which(f)]
    if not names:
        return lambda obj: ()
    getter = attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (getter(obj),)
    return getter


def _add_methods(cls: type, frozen: bool) -> None:
    own = cls.__dict__
    compared = _values_for(cls, lambda f: f.compare)
    shown = [f.name for f in dataclasses.fields(cls) if f.repr]

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) == compared(other))
        return NotImplemented

    for name, method in (("__init__", _init_for(cls)), ("__repr__", __repr__), ("__eq__", __eq__)):
        if name not in own:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
            setattr(cls, name, method)
    explicit_hash = own.get("__hash__", _MISSING) not in (_MISSING, None)
    if not frozen:
        if not explicit_hash:
            cls.__hash__ = None  # type: ignore[assignment]  # a compared, mutable value: unhashable
        return
    hashed = _values_for(cls, lambda f: f.hash if f.hash is not None else f.compare)
    names = frozenset(f.name for f in dataclasses.fields(cls))

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    for name, method in (("__setattr__", __setattr__), ("__delattr__", __delattr__)):
        if name in own:
            raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    if not explicit_hash:
        __hash__.__qualname__ = f"{cls.__qualname__}.__hash__"
        cls.__hash__ = __hash__  # type: ignore[method-assign,assignment]


@overload
def record(cls: type[_T], /) -> type[_T]: ...
@overload
def record(*, frozen: bool = True) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[_T] | None = None, /, *, frozen: bool = True) -> Any:
    """``@record`` is ``@dataclass(frozen=True)``; ``@record(frozen=False)`` is ``@dataclass``."""

    def wrap(klass: type[_T]) -> type[_T]:
        if not klass.__dict__.get("__doc__"):
            klass.__doc__ = klass.__name__  # dataclass would build it with inspect.signature
        made = dataclasses.dataclass(init=False, repr=False, eq=False)(klass)
        _add_methods(made, frozen)
        return made

    return wrap if cls is None else wrap(cls)
