"""``@record`` builds a dataclass on first use; every instance behaves as the dataclass's
would (issue 11: building them all at import was most of `qcode tag`'s own start)."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys
import threading
from dataclasses import field

import pytest

from qcode.core.record import built, record


def make_classes() -> tuple[type, type]:
    """Fresh, unbuilt record classes (module-level ones may already be built)."""

    @record(frozen=True, order=True)
    class Point:
        """A frozen, ordered record."""

        x: int
        y: int = 0

    @record
    class Bag:
        """A mutable record with a default factory."""

        name: str
        items: list[str] = field(default_factory=list)

    return Point, Bag


def test_a_record_is_unbuilt_until_its_first_instance() -> None:
    point, bag = make_classes()
    assert not dataclasses.is_dataclass(point)
    assert built(bag) is bag and dataclasses.is_dataclass(bag)  # for a class-level caller
    p = point(1, y=2)
    assert dataclasses.is_dataclass(point) and dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(point)] == ["x", "y"]
    assert "__setstate__" not in vars(point) and "_record_options" not in vars(point)


def test_instances_behave_as_the_dataclass_would() -> None:
    point, bag = make_classes()

    @dataclasses.dataclass(frozen=True, order=True)
    class Plain:
        x: int
        y: int = 0

    p, q = point(1), point(1, 0)
    assert p == q and hash(p) == hash(q) and p < point(2)
    assert repr(p).endswith("Point(x=1, y=0)") and repr(Plain(1)).endswith("Plain(x=1, y=0)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    assert dataclasses.replace(p, y=5) == point(1, 5)
    assert dataclasses.asdict(p) == {"x": 1, "y": 0}
    assert point.__match_args__ == ("x", "y")
    a, b = bag("a"), bag("b")
    a.items.append("x")
    assert b.items == [] and a == bag("a", ["x"]) and bag.__hash__ is None
    with pytest.raises(TypeError):
        point()  # a missing argument is the dataclass __init__'s error


def test_an_unpickled_or_copied_instance_builds_the_class() -> None:
    """A reader process pickles a record back; the parent may have none yet."""
    from qcode.core import model

    code = (
        "import pickle, sys\n"
        "from qcode.core.model import ParsedParagraph\n"
        "sys.stdout.buffer.write(pickle.dumps(ParsedParagraph(1, None, None, None, 't', 0, 1)))\n"
    )
    data = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout
    back = pickle.loads(data)
    assert dataclasses.is_dataclass(type(back))
    assert back == model.ParsedParagraph(1, None, None, None, "t", 0, 1)
    assert dataclasses.replace(back, page=2).page == 2
    # A local class cannot be pickled by name; copying takes the same path.
    for made in (copy.copy, copy.deepcopy):
        _point, fresh = make_classes()
        original = object.__new__(fresh)
        vars(original).update(name="n", items=["i"])
        twin = made(original)
        assert dataclasses.is_dataclass(fresh)
        assert twin == fresh("n", ["i"])


def test_threads_build_a_record_once() -> None:
    _point, bag = make_classes()
    made: list[object] = []
    start = threading.Barrier(8)

    def first() -> None:
        start.wait()
        made.append(bag("x"))

    threads = [threading.Thread(target=first) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert made == [bag("x", [])] * 8


def test_what_a_record_cannot_be() -> None:
    with pytest.raises(TypeError):
        record(slots=True)(type("S", (), {"__annotations__": {"x": "int"}}))
    with pytest.raises(TypeError):
        record(type("I", (), {"__init__": lambda self: None}))


@pytest.mark.parametrize("frozen", [True, False])
def test_equality_hashing_and_repr_are_the_dataclass_ones(frozen: bool) -> None:
    """__eq__, __hash__ and __repr__ are made from the fields, not compiled: the same
    answers as dataclass's own, field options included."""

    def body() -> dict[str, object]:
        return {"__annotations__": {"a": "int", "b": "object", "c": "str", "d": "float"},
                "b": field(default=None, repr=False),
                "c": field(default="x", compare=False),
                "d": field(default=0.0, hash=False)}

    ours = record(frozen=frozen)(type("R", (), body()))
    theirs = dataclasses.dataclass(frozen=frozen)(type("R", (), body()))
    nan = float("nan")
    for args in [(1,), (1, [2]), (1, None, "y"), (1, None, "x", nan), (2, ours)]:
        o, t = ours(*args), theirs(*args)
        assert repr(o) == repr(t)
        assert (o == ours(*args)) == (t == theirs(*args))
        assert (o == ours(1)) == (t == theirs(1)) and (o == t) is False
        assert o.__eq__(object()) is NotImplemented
        if frozen and not isinstance(args[-1], list):
            assert hash(o) == hash(t)
    same = ours(1, None, "x", nan)
    assert same == same and same != ours(1, None, "x", float("nan"))  # as (nan,) tuples
    if frozen:
        assert hash(ours(1, c="p")) == hash(ours(1, c="q")) and ours(1, c="p") == ours(1, c="q")
        assert hash(ours(1, d=1.0)) == hash(ours(1, d=2.0))
    else:
        assert ours.__hash__ is None and theirs.__hash__ is None
    inside = ours(1)
    if not frozen:
        inside.b = inside  # type: ignore[attr-defined]
        twin = theirs(1)
        twin.b = twin  # type: ignore[attr-defined]
        inside.a = inside  # type: ignore[attr-defined]
        twin.a = twin  # type: ignore[attr-defined]
        assert repr(inside) == repr(twin) == "R(a=..., c='x', d=0.0)"


def test_a_record_with_its_own_methods_or_order_is_a_plain_dataclass() -> None:
    point, _bag = make_classes()  # order=True: dataclasses compile all of them
    assert point(1) < point(2) and point.__eq__.__code__.co_filename == "<string>"

    @record(frozen=True)
    class Shown:
        x: int

        def __repr__(self) -> str:
            return "shown"

    assert repr(Shown(1)) == "shown" and Shown(1) == Shown(1) and hash(Shown(1))
