"""YAML from strangers: one loader for codebooks, catalogs and front matter.

PyYAML's ``safe_load`` builds no objects, but it does follow aliases: a few lines of
``*name`` references can stand for an exponentially large tree that our code would
then walk. Nothing qcode reads needs aliases, so they are refused.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from qcode.core.errors import ImportFailed

# Nothing qcode reads nests this deep (a codebook 100 codes deep is two levels a code);
# PyYAML's scanner costs time proportional to the depth for every token, so a file of
# nothing but "[" took 40 s before it was refused. Stopping at this depth keeps the
# cost of any input proportional to its length.
MAX_DEPTH = 256


class _DepthError(ImportFailed):
    """Raised from inside the scanner, where the path is not known."""


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that stops at the first alias, and at nesting past :data:`MAX_DEPTH`."""

    def fetch_flow_collection_start(self, TokenClass: Any) -> None:
        if self.flow_level >= MAX_DEPTH:
            self._too_deep()
        super().fetch_flow_collection_start(TokenClass)

    def add_indent(self, column: int) -> bool:
        if len(self.indents) >= MAX_DEPTH:
            self._too_deep()
        return bool(super().add_indent(column))

    def _too_deep(self) -> None:
        mark = self.get_mark()
        raise _DepthError(f"line {mark.line + 1}, column {mark.column + 1}: YAML nested "
                          f"more than {MAX_DEPTH} levels deep; refused")

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise ImportFailed(
                f"line {event.start_mark.line + 1}: YAML aliases (*name) are not allowed"
            )
        return super().compose_node(parent, index)


def load(text: str, path: Path | str, *, line_offset: int = 0, what: str = "") -> Any:
    """Parse YAML text; errors name the file, ``what`` it is, and the line
    (``line_offset`` for YAML embedded in a larger file)."""
    label = f"{what} is " if what else ""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)
    except ImportFailed as exc:
        message = str(exc)
        found = re.match(r"line (\d+)", message)
        if line_offset and found:
            message = f"line {int(found.group(1)) + line_offset}{message[found.end():]}"
        raise ImportFailed(f"{path}: {message}") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1 + line_offset}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise ImportFailed(f"{path}: {label}not valid YAML{where} ({problem})") from exc
    except RecursionError as exc:
        raise ImportFailed(f"{path}: YAML nested too deeply to read") from exc
    except (ValueError, TypeError, OverflowError) as exc:
        # A value the safe constructors reject ("date: 2009-13-45" is a date, month 13).
        raise ImportFailed(f"{path}: {label}not valid YAML ({exc})") from exc
