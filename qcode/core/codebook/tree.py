"""The project's codes as a tree: paths, depths, children, and the roll-up every count
shares (a parent stands for itself and everything below it).

Reports, the terminal UI's filter and agreement all take the tree from here, so "a
theme" means the same paragraphs wherever it is counted or shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from qcode.core.reading import ProjectReader

# The roll-up every count shares, defined beside the counts the project keeps.
from qcode.core.store.counts import TREE_CTE

__all__ = ["TREE_CTE", "CodeNode", "CodeTree", "code_tree"]



@dataclass(frozen=True)
class CodeNode:
    """A code as reports show it: its place in the tree and how to draw it."""

    id: int
    guid: str
    name: str
    path: str
    parent_id: int | None
    depth: int
    colour: str | None
    children: tuple[int, ...]

    @property
    def is_leaf(self) -> bool:
        """True when no code sits below this one."""
        return not self.children


@dataclass(frozen=True)
class CodeTree:
    """The project's codes in tree order, with lookups by id."""

    nodes: tuple[CodeNode, ...]
    by_id: dict[int, CodeNode] = field(repr=False)

    def subtree(self, code_id: int) -> list[int]:
        """The code and every code below it, in tree order."""
        found: list[int] = []
        stack = [code_id]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.by_id[current].children))
        return found


def code_tree(project: ProjectReader) -> CodeTree:
    """The codebook as :class:`CodeNode` records (one query; paths built here)."""
    pairs = project.code_tree()
    children: dict[int, list[int]] = {}
    for code, _depth in pairs:
        if code.parent_id is not None:
            children.setdefault(code.parent_id, []).append(code.id)
    paths: dict[int, str] = {}
    nodes = []
    for code, depth in pairs:
        # Tree order puts every parent before its children, so its path is known.
        parent_path = paths.get(code.parent_id) if code.parent_id is not None else None
        paths[code.id] = f"{parent_path}/{code.name}" if parent_path else code.name
        nodes.append(CodeNode(
            id=code.id, guid=code.guid, name=code.name, path=paths[code.id],
            parent_id=code.parent_id, depth=depth, colour=code.colour,
            children=tuple(children.get(code.id, ())),
        ))
    return CodeTree(tuple(nodes), {n.id: n for n in nodes})
