"""Creating or editing a code: name, parent, colour and the codebook definitions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, TextArea

from qcode.core.model import Code
from qcode.tui.modals.dialog import Dialog, show_error
from qcode.tui.modals.picker import CodePicker, Pick
from qcode.tui.session import Session

COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
HINT = "Ctrl+S: save   Tab: next field   Esc: cancel"
AREAS = (
    ("short", "Short definition"),
    ("definition", "Full definition"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
)


@dataclass(frozen=True)
class CodeForm:
    """What the editor was saved with."""

    name: str
    parent_id: int | None
    fields: dict[str, str | None]


class CodeEditor(Dialog[CodeForm | None]):
    """Ctrl+S saves, Escape cancels. A new code chooses its parent (Enter on the Parent
    line opens the code picker, a list in a dialog of its own, so it never spills over
    this one's border); an existing one is moved with ``>`` in the codebook pane."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, session: Session, *, code: Code | None = None, name: str = "",
                 parent: Code | None = None) -> None:
        super().__init__()
        self.session = session
        self.code = code
        self.initial_name = code.name if code else name
        self.parent_code = parent
        self.parent_id: int | None = parent.id if parent else None

    def compose(self) -> ComposeResult:
        """One field per line; the long ones are text areas."""
        title = f"Edit code “{self.code.name}”" if self.code else "New code"
        with Vertical(classes="dialog editor"):
            yield Label(title, classes="dialog-title")
            with VerticalScroll():
                yield Label("Name")
                yield Input(self.initial_name, id="code-name", compact=True)
                if self.code is None:
                    yield Label("Parent (Enter: choose another)")
                    yield Button(self._parent_name(), id="code-parent", compact=True)
                yield Label("Colour (#RRGGBB, empty for automatic)")
                yield Input(self.code.colour or "" if self.code else "", id="code-colour",
                            placeholder="#4E9FE6", compact=True)
                for field, label in AREAS:
                    yield Label(label)
                    value = (getattr(self.code, field) or "") if self.code else ""
                    yield TextArea(value, id=f"code-{field}", soft_wrap=True, compact=True,
                                   classes="short" if field == "short" else "")
            yield Label(HINT, id="editor-hint", classes="hint")

    def on_mount(self) -> None:
        """Start in the name field."""
        self.query_one("#code-name", Input).focus()

    def _parent_name(self) -> str:
        parent = self.session.codes.get(self.parent_id) if self.parent_id else None
        return parent.name if parent else "(top level)"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Choose the parent in the code picker (typing filters it)."""
        event.stop()

        def chosen(pick: Pick | None) -> None:
            if pick is None:
                return
            self.parent_id = pick.code.id if pick.code else None
            self.query_one("#code-parent", Button).label = self._parent_name()

        self.app.push_screen(CodePicker(self.session, title="Parent of the new code",
                                        codable_only=False, allow_top=True), chosen)

    def action_save(self) -> None:
        """Check the form and close with it."""
        name = self.query_one("#code-name", Input).value.strip()
        colour = self.query_one("#code-colour", Input).value.strip()
        line = self.query_one("#editor-hint", Label)
        if not name:
            show_error(line, "A code needs a name.", HINT)
            self.query_one("#code-name", Input).focus()
            return
        if colour and not COLOUR.match(colour):
            show_error(line, f"Colour {colour!r} is not #RRGGBB (e.g. #4E9FE6).", HINT)
            self.query_one("#code-colour", Input).focus()
            return
        fields: dict[str, str | None] = {"colour": colour.upper() or None}
        for field, _label in AREAS:
            fields[field] = self.query_one(f"#code-{field}", TextArea).text.strip() or None
        parent_id = self.code.parent_id if self.code else self.parent_id
        self.dismiss(CodeForm(name, parent_id, fields))

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)
