"""``@record``: a dataclass whose generated methods are built when it is first used.

``dataclasses.dataclass`` compiles ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``
and the frozen ``__setattr__``/``__delattr__`` from source for every class, at import:
0.3–1 ms a class on a slow machine. A one-shot command such as ``qcode tag`` imports
some twenty record classes and makes instances of a handful (issue 11), so ``record``
leaves the class as written and builds it on the first instance instead.

The first ``cls(...)`` goes through a stand-in ``__init__`` that applies
``dataclasses.dataclass(cls, **options)`` to the class in place, then runs the real
``__init__``; an instance made without ``__init__`` (unpickled — a reader process's
result — or copied) goes through a stand-in ``__setstate__`` that does the same. From
then on the class is exactly the dataclass ``@dataclass(**options)`` would have made,
and the stand-ins are gone (no cost on later instances). An instance can only exist
after that, so every instance behaves as a dataclass instance: equality, hashing,
repr, frozenness, ``dataclasses.replace``/``asdict``/``fields``.

Building compiles only ``__init__`` (and a frozen record's ``__setattr__`` and
``__delattr__``): ``__repr__``, ``__eq__`` and ``__hash__`` are made from the fields
(see :func:`_build`), so ``__dataclass_params__`` says ``repr=False, eq=False`` while
the class has both, as dataclasses would make them.

What differs is asking the *class* before it has any instance: ``dataclasses.fields``,
``is_dataclass`` or ``__match_args__`` on it. :func:`built` builds it for such a caller.
A record may not define ``__init__`` or ``__setstate__`` itself, nor use
``slots=True`` (which makes a new class rather than building this one); a dataclass
may not inherit from a record that is not yet built.
"""

from __future__ import annotations

import _thread
import dataclasses
import reprlib
from collections.abc import Callable
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar

__all__ = ["built", "record"]

T = TypeVar("T", bound=type)

# Two threads (the terminal UI's workers) may make the first instance at once; the class
# must be built once: a second dataclass() over a built class would lose the defaults
# that it removed from the class body (default_factory fields). (threading.Lock is this
# lock; importing threading for it cost `qcode tag` a millisecond.)
_LOCK = _thread.allocate_lock()


def built(cls: T) -> T:
    """``cls`` with its dataclass methods in place (a no-op for a built or plain class)."""
    if "_record_options" in cls.__dict__:
        with _LOCK:
            options = cls.__dict__.get("_record_options")
            if options is not None:
                # Stand-ins out first: dataclass() keeps an __init__ the class defines.
                del cls.__init__  # type: ignore[misc]
                del cls.__setstate__  # type: ignore[attr-defined]
                _build(cls, options)
                del cls._record_options  # type: ignore[attr-defined]
    return cls


def _build(cls: type, options: dict[str, Any]) -> None:
    """Apply ``dataclass(cls, **options)``; ``__repr__``, ``__eq__`` and ``__hash__``
    made from the fields rather than compiled, when the defaults ask for them.

    Compiling is what a dataclass costs (about 1 M instructions a method: parsing the
    generated source); these three, read off ``dataclasses.fields`` with
    ``operator.attrgetter`` (in C), behave as the compiled ones (tests/core/
    test_record.py compares them) and halve the compiling of a frozen record.
    ``__init__`` stays compiled: it runs for every row read."""
    plain = (options.get("repr", True) and options.get("eq", True)
             and not options.get("order") and not options.get("unsafe_hash")
             and not {"__repr__", "__eq__", "__hash__"} & cls.__dict__.keys())
    if not plain:
        dataclasses.dataclass(cls, **options)
        return
    dataclasses.dataclass(cls, **{**options, "repr": False, "eq": False})
    fields = dataclasses.fields(cls)
    compared = _values([f.name for f in fields if f.compare])
    shown = [f.name for f in fields if f.repr]

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    @reprlib.recursive_repr()  # "..." for a record inside itself, as dataclasses say
    def __repr__(self: Any) -> str:
        inside = ", ".join([f"{name}={getattr(self, name)!r}" for name in shown])
        return f"{self.__class__.__qualname__}({inside})"

    methods: dict[str, Any] = {"__eq__": __eq__, "__repr__": __repr__}
    if options.get("frozen"):
        # A frozen record with equality hashes what it compares (a field may opt out).
        hashed = _values([f.name for f in fields
                          if (f.compare if f.hash is None else f.hash)])

        def __hash__(self: Any) -> int:
            return hash(hashed(self))

        methods["__hash__"] = __hash__
    else:
        methods["__hash__"] = None  # mutable with equality: unhashable, as dataclasses do
    for name, method in methods.items():
        if method is not None:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)


def _values(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named attributes of an object as a tuple (always a tuple, as the compiled
    methods compare and hash one)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        (name,) = names
        return lambda obj: (getattr(obj, name),)
    return lambda obj: ()


def _lazy(options: dict[str, Any]) -> Callable[[T], T]:
    if options.get("slots"):
        raise TypeError("@record builds the class in place; slots=True makes a new one")

    def wrap(cls: T) -> T:
        if "__init__" in cls.__dict__ or "__setstate__" in cls.__dict__:
            raise TypeError(f"@record {cls.__name__} may not define __init__ or __setstate__")

        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            built(cls)
            cls.__init__(self, *args, **kwargs)  # type: ignore[misc]  # the dataclass's now

        def __setstate__(self: Any, state: Any) -> None:
            built(cls)
            # What pickle and copy do for a class without __setstate__ (a record has no
            # slots, so its state is its __dict__); vars() because frozen forbids setattr.
            vars(self).update(state)

        cls._record_options = options  # type: ignore[attr-defined]
        cls.__init__ = __init__  # type: ignore[misc]
        cls.__setstate__ = __setstate__  # type: ignore[attr-defined]
        return cls

    return wrap


if TYPE_CHECKING:
    # For the type checker a record is a dataclass, and it is one by the time it is used.
    from dataclasses import dataclass as record
else:

    def record(cls: type | None = None, /, **options: Any) -> Any:
        """Like ``@dataclass`` / ``@dataclass(...)``, built on the first instance."""
        wrap = _lazy(options)
        return wrap if cls is None else wrap(cls)
