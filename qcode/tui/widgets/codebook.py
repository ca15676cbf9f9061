"""The codebook pane: the code tree with colours, key numbers, live counts, and marks
on the codes the current paragraph carries."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Label, Tree
from textual.widgets.tree import TreeNode

from qcode.core.model import Code
from qcode.tui.guard import attempt
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.prompt import Prompt
from qcode.tui.session import Session
from qcode.tui.widgets.code_labels import code_label, indent
from qcode.tui.wording import plural

if TYPE_CHECKING:
    from qcode.tui.modals.code_editor import CodeForm
    from qcode.tui.modals.picker import Pick

T = TypeVar("T")


class CodebookPane(Vertical):
    """The code tree. Enter toggles the highlighted code on the current paragraph."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # The footer shows the four a coder needs most; ? lists them all. (Every one
        # shown did not fit 80 columns beside the screen's own keys.)
        Binding("a", "add_code", "Add"),
        Binding("e", "edit_code", "Edit"),
        Binding("r", "rename_code", "Rename", show=False),
        Binding("greater_than_sign", "move_code", "Move", show=False,
                tooltip="Move the code (with its sub-codes) under another code"),
        Binding("plus_sign", "merge_code", "Merge", show=False,
                tooltip="Merge the code into another: its codings move there"),
        Binding("x,delete", "delete_code", "Delete"),
        Binding("P", "pin_code", "Key", tooltip="Put the code on a number key 1–9 of your "
                "choice (Enter: the lowest free one); no other key moves"),
    ]

    class Apply(Message):
        """Enter on a code: toggle it on the current paragraph(s)."""

        def __init__(self, code_id: int) -> None:
            super().__init__()
            self.code_id = code_id

    class Said(Message):
        """Something to put on the status line (a cancelled edit, say)."""

        def __init__(self, message: str) -> None:
            super().__init__()
            self.message = message

    class Changed(Message):
        """The codebook was edited (committed); ``reload`` when codings moved too."""

        def __init__(self, message: str, *, reload: bool = False) -> None:
            super().__init__()
            self.message = message
            self.reload = reload

    def __init__(self, session: Session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self._code_nodes: dict[int, TreeNode[int]] = {}
        self._depth: dict[int, int] = {}
        self._parents: set[int | None] = set()
        self._here: dict[int, bool] = {}
        self._room = 0
        self._counting = not session.counted

    def compose(self) -> ComposeResult:
        """Title and tree."""
        yield Label(self._title(), classes="pane-title", id="codebook-title")
        tree: Tree[int] = Tree("codes", id="code-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 2
        yield tree

    def _title(self) -> str:
        # While the counts are read (after the first screen of a big project), the
        # blank counts are said to be pending, never shown as if they were zero.
        counting = "" if self.session.counted else " [dim italic]counting…[/]"
        return f"Codebook [dim](t)[/]{counting}"

    def _retitle(self) -> None:
        # Only when it changes: a label's update lays the screen out again.
        if self._counting != (not self.session.counted):
            self._counting = not self.session.counted
            self.query_one("#codebook-title", Label).update(self._title())

    @property
    def code_tree(self) -> Tree[int]:
        """The tree widget."""
        tree: Tree[int] = self.query_one("#code-tree", Tree)
        return tree

    @property
    def highlighted(self) -> Code | None:
        """The code under the tree's cursor."""
        node = self.code_tree.cursor_node
        if node is None or node.data is None:
            return None
        return self.session.codes.get(node.data)

    def on_descendant_focus(self) -> None:
        """Light up the title while the pane has the keyboard."""
        self.add_class("-active")

    def on_descendant_blur(self) -> None:
        """Dim the title again."""
        self.remove_class("-active")

    def on_mount(self) -> None:
        """Fill the tree."""
        self.rebuild()

    def rebuild(self) -> None:
        """Re-create the tree from the session's codebook (cursor stays on its code)."""
        tree = self.code_tree
        keep = self.highlighted.id if self.highlighted else None
        tree.clear()
        self._code_nodes = {}
        self._room = self._width()
        self._retitle()
        parents: dict[int | None, TreeNode[int]] = {None: tree.root}
        children = {code.parent_id for code, _depth in self.session.tree}
        self._parents = children
        self._depth = {code.id: depth for code, depth in self.session.tree}
        for code, _depth in self.session.tree:
            parent = parents.get(code.parent_id, tree.root)
            if code.id in children:
                node = parent.add(self._label(code), data=code.id, expand=True)
            else:
                node = parent.add_leaf(self._label(code), data=code.id)
            parents[code.id] = node
            self._code_nodes[code.id] = node
        if not self.session.tree:
            tree.root.add_leaf(Text("no codes yet: press a to add one", style="dim"))
        self.call_after_refresh(self._restore, keep)

    def _restore(self, code_id: int | None) -> None:
        node = self._code_nodes.get(code_id) if code_id is not None else None
        if node is None and self._code_nodes:
            node = next(iter(self._code_nodes.values()))
        if node is not None:
            self.code_tree.move_cursor(node)

    def refresh_labels(self, only: Iterable[int] | None = None) -> None:
        """Update counts, key numbers and marks in place: of every code, or of
        ``only`` these (a tag changes one code's count)."""
        self._room = self._width()
        self._retitle()
        wanted = self._code_nodes.keys() if only is None else only
        for code_id in wanted:
            node = self._code_nodes.get(code_id)
            code = self.session.codes.get(code_id)
            if node is not None and code is not None:
                self._relabel(node, self._label(code))

    def show_here(self, here: dict[int, bool]) -> None:
        """Mark the codes on the current paragraph (code id -> the coder's own?);
        only the lines whose mark changes are redrawn."""
        changed = {c for c in here.keys() | self._here.keys()
                   if here.get(c) != self._here.get(c)}
        self._here = dict(here)
        for code_id in changed:
            node = self._code_nodes.get(code_id)
            code = self.session.codes.get(code_id)
            if node is not None and code is not None:
                self._relabel(node, self._label(code))

    def _relabel(self, node: TreeNode[int], label: Text) -> None:
        """A new label for one line of the tree, redrawing that line only.
        TreeNode.set_label redraws the node's whole subtree: a theme marked or unmarked
        as the reader moves redrew every sub-code's line, the larger part of what
        ``j`` cost at 160×45. The node's own counter of changes is bumped as
        set_label bumps it, so no line drawn from the old label is reused."""
        tree = self.code_tree
        node._label = tree.process_label(label)
        node._updates += 1
        if node.line >= 0:
            tree._refresh_line(node.line)

    @property
    def here(self) -> dict[int, bool]:
        """The codes marked as on the current paragraph (id -> the coder's own?)."""
        return dict(self._here)

    def _width(self) -> int:
        return self.code_tree.scrollable_content_region.width

    def on_resize(self) -> None:
        """Fit the names to the new width."""
        if self._width() != self._room:
            self.refresh_labels()

    def select(self, code_id: int) -> None:
        """Move the cursor to a code."""
        node = self._code_nodes.get(code_id)
        if node is not None:
            self.code_tree.move_cursor(node)

    def _label(self, code: Code) -> Text:
        room = None
        if self._room > 0:
            room = self._room - indent(self._depth.get(code.id, 0), code.id in self._parents)
        return code_label(code, key=self.session.slot_of(code.id),
                          count=self.session.counts.get(code.id, 0) if self.session.counted
                          else 0,
                          here=self._here.get(code.id), room=room)

    def on_tree_node_selected(self, event: Tree.NodeSelected[int]) -> None:
        """Enter on a code applies it."""
        event.stop()
        if event.node.data is not None:
            self.post_message(self.Apply(event.node.data))

    # -- editing (each change is one undoable event) --------------------------------

    def _attempt(self, action: Callable[[], T]) -> T | None:
        return attempt(self.app, self.session.project.path, action)[0]

    def _current(self) -> Code | None:
        code = self.highlighted
        if code is None:
            self.notify("no code under the cursor", severity="warning")
        return code

    def action_add_code(self) -> None:
        """A new code: beside the highlighted one, or under it if it has sub-codes."""
        code = self.highlighted
        parent = None
        if code is not None:
            has_children = any(c.parent_id == code.id for c, _d in self.session.tree)
            parent = code if has_children else self.session.codes.get(code.parent_id or -1)

        def added(new: Code) -> None:
            self.post_message(self.Changed(f"added code {new.name!r}"))

        self.new_code(name="", parent=parent, then=added)

    def new_code(self, *, name: str, parent: Code | None,
                 then: Callable[[Code], None]) -> None:
        """The code editor for a new code; once it is saved, ``then`` gets the code."""

        def saved(form: CodeForm | None) -> None:
            if form is None:
                return
            under = self.session.codes.get(form.parent_id) if form.parent_id else None
            added = self._attempt(lambda: self.session.add_code(form.name, under,
                                                                **form.fields))
            if added is not None:
                then(added)
                self.call_after_refresh(self.select, added.id)

        # The editor (and the text areas it brings) loads when first used.
        from qcode.tui.modals.code_editor import CodeEditor

        self.app.push_screen(CodeEditor(self.session, name=name, parent=parent), saved)

    def action_edit_code(self) -> None:
        """Edit the highlighted code's name, colour and definitions."""
        code = self._current()
        if code is None:
            return

        def saved(form: CodeForm | None) -> None:
            if form is None:
                return
            updated = self._attempt(lambda: self.session.update_code(
                code, name=form.name, **form.fields))
            if updated is not None:
                self.post_message(self.Changed(f"saved code {updated.name!r}"))

        from qcode.tui.modals.code_editor import CodeEditor

        self.app.push_screen(CodeEditor(self.session, code=code), saved)

    def action_rename_code(self) -> None:
        """Rename the highlighted code."""
        code = self._current()
        if code is None:
            return

        def answered(name: str | None) -> None:
            if name and name.strip() and name.strip() != code.name:
                renamed = self._attempt(lambda: self.session.update_code(code, name=name))
                if renamed is not None:
                    self.post_message(self.Changed(
                        f"renamed {code.name!r} to {renamed.name!r}"))

        self.app.push_screen(Prompt(f"Rename “{code.name}”", value=code.name), answered)

    def action_move_code(self) -> None:
        """Move the highlighted code (with its sub-codes) under another code."""
        code = self._current()
        if code is None:
            return
        inside = self._descendants(code.id) | {code.id}
        if code.parent_id is not None:
            inside.add(code.parent_id)

        def chosen(pick: Pick | None) -> None:
            if pick is None or (pick.code is None and not pick.top_level):
                return
            moved = self._attempt(lambda: self.session.move_code(code, pick.code))
            if moved is not None:
                where = repr(pick.code.name) if pick.code else "the top level"
                self.post_message(self.Changed(f"moved {code.name!r} to {where}"))

        from qcode.tui.modals.picker import CodePicker

        self.app.push_screen(CodePicker(
            self.session, title=f"Move “{code.name}” under…", exclude=inside,
            codable_only=False, allow_top=code.parent_id is not None), chosen)

    def action_merge_code(self) -> None:
        """Merge the highlighted code into another: its codings move there."""
        code = self._current()
        if code is None:
            return

        def chosen(pick: Pick | None) -> None:
            if pick is None or pick.code is None:
                return
            target = pick.code
            count = self.session.project.affected_codings(code)
            message = (f"{plural(count, 'coding')} of “{code.name}” (all "
                       f"coders) will move to “{target.name}” (a paragraph that has both "
                       f"keeps one); its sub-codes move under “{target.name}”; "
                       f"“{code.name}” is removed. u undoes it.")

            def confirmed(yes: bool | None) -> None:
                if not yes:
                    self.post_message(self.Said(f"not merged: {code.name!r} is as it was"))
                    return
                moved = self._attempt(lambda: self.session.merge_codes(code, target))
                if moved is not None:
                    self.post_message(self.Changed(
                        f"merged {code.name!r} into {target.name!r} "
                        f"({plural(moved, 'coding')} reassigned)", reload=True))

            self.app.push_screen(Confirm(f"Merge “{code.name}” into “{target.name}”?",
                                         message, yes="merge"), confirmed)

        from qcode.tui.modals.picker import CodePicker

        self.app.push_screen(CodePicker(
            self.session, title=f"Merge “{code.name}” into…",
            exclude=self._descendants(code.id) | {code.id}, codable_only=False), chosen)

    def action_delete_code(self) -> None:
        """Delete the highlighted code after saying how many codings go with it."""
        code = self._current()
        if code is None:
            return
        count = self.session.project.affected_codings(code)
        children = sum(1 for c, _d in self.session.tree if c.parent_id == code.id)
        moving = ("" if not children else "; its sub-code moves up a level" if children == 1
                  else f"; its {children} sub-codes move up a level")
        message = (f"{plural(count, 'coding')} of it (all coders) will be removed{moving}. "
                   "u undoes it.")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                self.post_message(self.Said(f"not deleted: {code.name!r} and its codings "
                                            "are as they were"))
                return
            removed = self._attempt(lambda: self.session.delete_code(code))
            if removed is not None:
                self.post_message(self.Changed(
                    f"deleted {code.name!r} ({plural(removed, 'coding')} removed)",
                    reload=True))

        self.app.push_screen(Confirm(f"Delete “{code.name}”?", message, yes="delete"),
                             confirmed)

    def action_pin_code(self) -> None:
        """Put the highlighted code on the number key the coder presses (Enter: its
        own key, or the lowest free one); 0 takes it off its key."""
        from qcode.tui.modals.key_prompt import TAKE_OFF, KeyPrompt

        code = self._current()
        if code is None:
            return
        if not code.codable:
            self.notify(f"{code.name!r} is a folder (not codable); put one of its codes on "
                        "a key", severity="warning")
            return
        keys = self.session.keys
        now = keys.key_of(code.id)
        taken = {k: self.session.codes[c].name for k, c in keys.items()
                 if c in self.session.codes}

        def answered(number: int | None) -> None:
            if number is None:
                self.post_message(self.Said("keys unchanged"))
                return
            message = self._attempt(
                lambda: self.session.take_off_key(code) if number == TAKE_OFF
                else self.session.put_on_key(code, number))
            if message is not None:
                self.refresh_labels()
                self.post_message(self.Changed(message))

        self.app.push_screen(KeyPrompt(code, now=now, offered=now or keys.lowest_free(),
                                       taken=taken), answered)

    def _descendants(self, code_id: int) -> set[int]:
        found: set[int] = set()
        frontier = {code_id}
        while frontier:
            frontier = {c.id for c, _d in self.session.tree if c.parent_id in frontier}
            found |= frontier
        return found
