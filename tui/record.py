"""``@record``: limitwatch's value classes, declared like dataclasses, made without ``dataclasses``.

``@dataclass`` compiles six methods for every class (about 1 ms a class on Python 3.11), and
importing ``dataclasses`` loads ``inspect``, ``ast``, ``dis`` and ``tokenize``: together a
third of a warm ``limitwatch status`` before this module, paid again at every status line
Claude Code draws. ``@record`` reads the same declarations (annotations, defaults,
``field(...)``) and gives every class the same shared methods, set up from its fields.

Behaviour is a dataclass's: positional or keyword arguments, defaults and default factories,
``__post_init__``, inheritance, equality and hash over the compared fields, frozen by default
(``dataclasses.FrozenInstanceError``), ``__match_args__``, ``slots=True``. The stdlib helpers
still work on records (``dataclasses.replace``, ``fields``, ``asdict``, ``is_dataclass``):
``__dataclass_fields__`` is built when first read. Not supported (nothing here uses them):
``kw_only``, ``InitVar``, ``ClassVar`` fields, ordering.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
_EMPTY: Mapping[Any, Any] = {}


class Field:
    """One declared field (what ``dataclasses.Field`` holds, for the parts used here)."""

    __slots__ = (
        "compare",
        "default",
        "default_factory",
        "hash",
        "init",
        "metadata",
        "name",
        "repr",
        "type",
    )

    def __init__(
        self,
        default: Any = MISSING,
        default_factory: Any = MISSING,
        init: bool = True,
        repr: bool = True,
        hash: bool | None = None,
        compare: bool = True,
        metadata: Mapping[Any, Any] | None = None,
    ) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.type: Any = None
        self.default = default
        self.default_factory = default_factory
        self.init, self.repr, self.hash, self.compare = init, repr, hash, compare
        self.metadata: Mapping[Any, Any] = metadata or _EMPTY

    def __repr__(self) -> str:
        return f"Field(name={self.name!r}, default={self.default!r})"


@overload
def field(
    *,
    default: _T,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
) -> _T: ...
@overload
def field(
    *,
    default_factory: Callable[[], _T],
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
) -> _T: ...
@overload
def field(
    *,
    init: bool = True,
    repr: bool = True,
    hash: bool | None = None,
    compare: bool = True,
    metadata: Mapping[Any, Any] | None = None,
) -> Any: ...


def field(**options: Any) -> Any:
    """As ``dataclasses.field``: a default, a default factory, metadata, init/repr/compare."""
    return Field(**options)


def fields(class_or_instance: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in declaration order (bases first)."""
    try:
        found: tuple[Field, ...] = class_or_instance.__record_fields__
    except AttributeError:
        raise TypeError("must be called with a record type or instance") from None
    return found


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of ``obj`` with ``changes`` (as ``dataclasses.replace``)."""
    for f in fields(obj):
        if not f.init:
            if f.name in changes:
                raise ValueError(f"field {f.name} is declared with init=False")
        elif f.name not in changes:
            changes[f.name] = getattr(obj, f.name)
    return obj.__class__(**changes)


# --------------------------------------------------------------------------- making a record


def _from_stdlib(value: Any) -> Field:
    """A plain default, or a ``dataclasses.field(...)`` written in a record (read as ours)."""
    kind = type(value)
    if kind.__name__ != "Field" or kind.__module__ != "dataclasses":
        return Field(default=value)

    def ours(v: Any) -> Any:
        return MISSING if type(v).__name__ == "_MISSING_TYPE" else v

    return Field(
        default=ours(value.default),
        default_factory=ours(value.default_factory),
        init=value.init,
        repr=value.repr,
        hash=value.hash,
        compare=value.compare,
        metadata=value.metadata,
    )


def _own_annotations(cls: type) -> dict[str, Any]:
    # What inspect.get_annotations(cls) gives for a class (on 3.11), without loading inspect.
    found: dict[str, Any] = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
    return found


def _declared(cls: type) -> tuple[Field, ...]:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for f in base.__dict__.get("__record_fields__", ()):
            found[f.name] = f
    for name, annotation in _own_annotations(cls).items():
        if str(annotation).replace("typing.", "").startswith(("ClassVar", "InitVar")):
            raise TypeError(f"{cls.__name__}.{name}: ClassVar and InitVar are not supported")
        value = cls.__dict__.get(name, MISSING)
        f = value if isinstance(value, Field) else _from_stdlib(value)
        if isinstance(f.default, list | dict | set):
            raise ValueError(
                f"mutable default {type(f.default)} for field {name} is not allowed: "
                "use default_factory"
            )
        f.name, f.type = name, annotation
        found[name] = f
        if f.default is not MISSING:
            setattr(cls, name, f.default)
        elif name in cls.__dict__:
            delattr(cls, name)
    every = tuple(found.values())
    seen_default = False
    for f in every:
        if not f.init:
            continue
        if f.default is MISSING and f.default_factory is MISSING:
            if seen_default:
                raise TypeError(f"non-default argument {f.name!r} follows default argument")
        else:
            seen_default = True
    return every


_REQUIRED, _VALUE, _FACTORY = 0, 1, 2


def _spec(f: Field) -> tuple[str, int, Any]:
    if f.default is not MISSING:
        return (f.name, _VALUE, f.default)
    if f.default_factory is not MISSING:
        return (f.name, _FACTORY, f.default_factory)
    return (f.name, _REQUIRED, None)


def _init_for(cls: type, every: tuple[Field, ...]) -> Callable[..., None]:
    given = tuple(_spec(f) for f in every if f.init)
    derived = tuple(_spec(f) for f in every if not f.init and _spec(f)[1] != _REQUIRED)
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


def _values(names: list[str]) -> Callable[[Any], Any]:
    if not names:
        return lambda obj: ()
    getter = attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (getter(obj),)
    return getter


def _frozen_error(message: str) -> Exception:
    from dataclasses import FrozenInstanceError  # only when someone tries

    return FrozenInstanceError(message)


def _set_method(cls: type, name: str, method: Callable[..., Any]) -> None:
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    setattr(cls, name, method)


def _add_methods(cls: type, every: tuple[Field, ...], own: Mapping[str, Any], frozen: bool) -> None:
    compared = _values([f.name for f in every if f.compare])
    shown = [f.name for f in every if f.repr]

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{type(self).__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return bool(compared(self) == compared(other))
        return NotImplemented

    for name, method in (("__init__", _init_for(cls, every)), ("__repr__", __repr__)):
        if name not in own:
            _set_method(cls, name, method)
    if "__eq__" not in own:
        _set_method(cls, "__eq__", __eq__)
    explicit_hash = own.get("__hash__", MISSING) not in (MISSING, None)
    if not frozen:
        if not explicit_hash:
            cls.__hash__ = None  # type: ignore[assignment]  # a compared, mutable value: unhashable
        return
    hashed = _values([f.name for f in every if (f.compare if f.hash is None else f.hash)])
    names = frozenset(f.name for f in every)

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen_error(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    for name, method in (("__setattr__", __setattr__), ("__delattr__", __delattr__)):
        if name in own:
            raise TypeError(f"cannot overwrite attribute {name} in class {cls.__name__}")
        _set_method(cls, name, method)
    if not explicit_hash:
        _set_method(cls, "__hash__", __hash__)


class _StdlibFields:
    """``__dataclass_fields__``, made the first time something reads it (``dataclasses``'
    ``replace``, ``fields``, ``asdict``, ``is_dataclass``): a record does not load
    ``dataclasses`` until then."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __get__(self, obj: object, owner: type | None = None) -> dict[str, Any]:
        import dataclasses

        made: dict[str, Any] = {}
        for f in fields(self.cls):
            std: Any = dataclasses.field(
                init=f.init, repr=f.repr, hash=f.hash, compare=f.compare, metadata=f.metadata
            )
            std.default, std.default_factory = f.default, f.default_factory
            if f.default is MISSING:
                std.default = dataclasses.MISSING
            if f.default_factory is MISSING:
                std.default_factory = dataclasses.MISSING
            std.name, std.type = f.name, f.type
            std._field_type = dataclasses._FIELD  # type: ignore[attr-defined]  # a plain field
            made[f.name] = std
        type.__setattr__(self.cls, "__dataclass_fields__", made)
        return made


def _slotted(cls: type, every: tuple[Field, ...]) -> type:
    body = dict(cls.__dict__)
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    names = tuple(f.name for f in every if f.name in _own_annotations(cls))
    for name in names:
        body.pop(name, None)
    body["__slots__"] = names
    made = type(cls)(cls.__name__, cls.__bases__, body)
    made.__qualname__ = cls.__qualname__
    return made


def _getstate(self: Any) -> list[Any]:
    return [getattr(self, f.name) for f in fields(self)]


def _setstate(self: Any, state: list[Any]) -> None:
    for f, value in zip(fields(self), state, strict=True):
        object.__setattr__(self, f.name, value)


@overload
def record(cls: type[_T], /) -> type[_T]: ...
@overload
def record(*, frozen: bool = True, slots: bool = False) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(frozen_default=True, field_specifiers=(Field, field))
def record(cls: type[_T] | None = None, /, *, frozen: bool = True, slots: bool = False) -> Any:
    """``@record`` is ``@dataclass(frozen=True)``; ``@record(frozen=False)`` is
    ``@dataclass``; ``slots=True`` as for a dataclass."""

    def wrap(klass: type[_T]) -> type[_T]:
        own = dict(klass.__dict__)
        every = _declared(klass)
        if slots:
            klass = _slotted(klass, every)
            if frozen:
                type.__setattr__(klass, "__getstate__", _getstate)
                type.__setattr__(klass, "__setstate__", _setstate)
        type.__setattr__(klass, "__record_fields__", every)
        type.__setattr__(klass, "__dataclass_fields__", _StdlibFields(klass))
        type.__setattr__(klass, "__match_args__", tuple(f.name for f in every if f.init))
        _add_methods(klass, every, own, frozen)
        return klass

    return wrap if cls is None else wrap(cls)
