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

What differs is asking the *class* before it has any instance: ``dataclasses.fields``,
``is_dataclass`` or ``__match_args__`` on it. :func:`built` builds it for such a caller.
A record may not define ``__init__`` or ``__setstate__`` itself, nor use
``slots=True`` (which makes a new class rather than building this one); a dataclass
may not inherit from a record that is not yet built.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

__all__ = ["built", "record"]

T = TypeVar("T", bound=type)

# Two threads (the terminal UI's workers) may make the first instance at once; the class
# must be built once: a second dataclass() over a built class would lose the defaults
# that it removed from the class body (default_factory fields).
_LOCK = threading.Lock()


def built(cls: T) -> T:
    """``cls`` with its dataclass methods in place (a no-op for a built or plain class)."""
    if "_record_options" in cls.__dict__:
        with _LOCK:
            options = cls.__dict__.get("_record_options")
            if options is not None:
                # Stand-ins out first: dataclass() keeps an __init__ the class defines.
                del cls.__init__  # type: ignore[misc]
                del cls.__setstate__  # type: ignore[attr-defined]
                dataclasses.dataclass(cls, **options)
                del cls._record_options  # type: ignore[attr-defined]
    return cls


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
