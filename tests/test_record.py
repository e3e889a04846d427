"""``@record`` behaves as ``@dataclass(frozen=True)`` does (and ``record(frozen=False)`` as
``@dataclass``): every value class of limitwatch is declared with it, so a difference would
show as a wrong bar, a wrong JSON key or a crash. Each case runs against both decorators."""

from __future__ import annotations

import dataclasses
import pickle
from dataclasses import FrozenInstanceError, dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Any

import pytest

from tui.models import Window
from tui.record import record


def _pair(frozen: bool = True) -> list[Any]:
    made = []
    for decorate in (dataclass(frozen=frozen), record(frozen=frozen)):

        class Point:
            """A point."""

            x: int
            y: int = 0
            tags: tuple[str, ...] = field(default_factory=tuple)
            note: str = field(default="", compare=False, metadata={"about": "shown"})

        made.append(decorate(Point))
    return made


@pytest.mark.parametrize("cls", _pair(), ids=["dataclass", "record"])
def test_construction_equality_hash_and_repr_match_a_dataclass(cls: Any) -> None:
    p = cls(1, y=2, tags=("a",), note="n")
    assert (p.x, p.y, p.tags, p.note) == (1, 2, ("a",), "n")
    assert cls(1) == cls(1, 0, ()) and cls(1) != cls(2)
    assert cls(1, note="a") == cls(1, note="b")  # compare=False
    assert hash(cls(1, note="a")) == hash(cls(1, note="b"))
    assert {cls(1), cls(1), cls(2)} == {cls(1), cls(2)}
    assert repr(p).endswith(".Point(x=1, y=2, tags=('a',), note='n')")
    assert cls.__match_args__ == ("x", "y", "tags", "note")
    assert cls(1).tags is not cls(2).tags or cls(1).tags == ()
    assert (p == object()) is False


@pytest.mark.parametrize("cls", _pair(), ids=["dataclass", "record"])
def test_wrong_arguments_are_type_errors(cls: Any) -> None:
    for call in (
        lambda: cls(),
        lambda: cls(1, x=2),
        lambda: cls(1, 2, (), "", 5),
        lambda: cls(1, z=3),
    ):
        with pytest.raises(TypeError):
            call()


@pytest.mark.parametrize("cls", _pair(), ids=["dataclass", "record"])
def test_frozen_fields_cannot_change(cls: Any) -> None:
    p = cls(1)
    with pytest.raises(FrozenInstanceError):
        p.x = 2
    with pytest.raises(FrozenInstanceError):
        del p.y
    assert p.x == 1


@pytest.mark.parametrize("cls", _pair(), ids=["dataclass", "record"])
def test_the_dataclasses_helpers_work(cls: Any) -> None:
    p = cls(1, note="n")
    assert replace(p, y=5) == cls(1, 5, note="n")
    assert dataclasses.asdict(p) == {"x": 1, "y": 0, "tags": (), "note": "n"}
    about = {f.name: f.metadata.get("about") for f in fields(cls)}
    assert about["note"] == "shown"


@pytest.mark.parametrize("cls", _pair(frozen=False), ids=["dataclass", "record"])
def test_a_mutable_record_changes_and_is_unhashable(cls: Any) -> None:
    p = cls(1)
    p.x = 7
    assert p == cls(7)
    with pytest.raises(TypeError):
        hash(p)


def test_post_init_subclasses_and_default_factories() -> None:
    seen: list[int] = []

    @record
    class Base:
        a: int
        items: list[int] = field(default_factory=list)

        def __post_init__(self) -> None:
            seen.append(self.a)

    @record
    class Child(Base):
        b: str = "b"

    c = Child(3, b="c")
    assert (c.a, c.items, c.b) == (3, [], "c") and seen == [3]
    assert Child(1).items is not Child(1).items  # a new list each time
    assert Child(1) != Base(1)  # another class is never equal
    assert repr(c).endswith(".Child(a=3, items=[], b='c')")


def test_limitwatch_values_are_records_that_act_like_dataclasses() -> None:
    when = datetime(2026, 12, 2, tzinfo=UTC)
    w = Window("five_hour", 12.0, None, "oauth_usage", when)
    assert w == Window("five_hour", 12.0, None, "oauth_usage", when, label="")
    assert dataclasses.is_dataclass(w) and replace(w, used_percent=13.0).used_percent == 13.0
    with pytest.raises(FrozenInstanceError):
        w.used_percent = 1.0  # type: ignore[misc]
    assert "used_percent=12.0" in repr(w)
    assert pickle.loads(pickle.dumps(w)) == w  # the transcript helpers send values across


def test_records_declared_with_their_own_field_and_helpers() -> None:
    from tui import record as rec

    @rec.record
    class Key:
        name: str
        default: int = rec.field(default=3, metadata={"about": "a key"})
        seen: tuple[str, ...] = rec.field(default_factory=tuple, compare=False)

    k = Key("a")
    assert (k.name, k.default, k.seen) == ("a", 3, ())
    assert [f.name for f in rec.fields(Key)] == ["name", "default", "seen"]
    assert rec.fields(k)[1].metadata["about"] == "a key"
    assert rec.replace(k, default=4) == Key("a", 4)
    assert Key("a", seen=("x",)) == Key("a")  # compare=False
    assert dataclasses.replace(k, name="b") == Key("b")  # the stdlib helpers see the fields
    assert dataclasses.fields(Key)[1].metadata["about"] == "a key"
    with pytest.raises(TypeError):
        rec.fields(object())


def test_declaration_mistakes_fail_as_a_dataclass_would() -> None:
    from tui import record as rec

    with pytest.raises(TypeError, match="non-default argument"):

        @rec.record
        class Wrong:
            a: int = 1
            b: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="mutable default"):

        @rec.record
        class Shared:
            items: list[int] = []  # type: ignore[misc]


def test_slotted_records_hold_no_dict_and_survive_pickling() -> None:
    from tui.core.samples import Sample

    when = datetime(2026, 12, 2, tzinfo=UTC)
    s = Sample(when, 12.0, None, "oauth_usage")
    assert not hasattr(s, "__dict__")
    assert pickle.loads(pickle.dumps(s)) == s
    with pytest.raises(FrozenInstanceError):
        s.used_percent = 1.0  # type: ignore[misc]
    assert hash(s) == hash(Sample(when, 12.0, None, "oauth_usage"))
