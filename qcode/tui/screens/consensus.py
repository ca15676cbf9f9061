"""The consensus review screen: one disputed paragraph at a time, every coder's codes
side by side, and the agreed codes recorded as the coder "consensus" with a key.

The rules are :mod:`qcode.tui.consensus`'s; this module only draws and dispatches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Label, Static
from textual.worker import get_current_worker

from qcode.core.agreement.units import CONSENSUS
from qcode.core.errors import QcodeError
from qcode.tui.consensus import Disputed, Found, Review, agreed_pairs, find
from qcode.tui.guard import attempt
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.help import HelpModal
from qcode.tui.session import Session
from qcode.tui.widgets.blocks import code_colour
from qcode.tui.widgets.footer import KeyFooter

T = TypeVar("T")

# The keys that take a coder's codes: the alphabet without the screen's other keys.
COLUMN_KEYS = [c for c in "abcdefghijklmnopqrstuvwxyz" if c not in "enopqux"]

RULES = (
    "A paragraph is resolved once consensus has a code on it, or once x recorded "
    "\"agreed: no code\" (a consensus memo on the paragraph; the document is marked "
    "reviewed by consensus). Adding codes also adds the codes all its coders agree on. "
    "Every key writes at once, as the coder \"consensus\"; u takes back its latest "
    "change. Reports on consensus: qcode report frequencies --coder consensus."
)


def review_table(review: Review, item: Disputed, codings: dict[str, set[int]]) -> Table:
    """Codes down, coders across: disputed codes numbered and bright, agreed ones dim,
    the consensus column last."""
    table = Table(box=None, padding=(0, 1), show_edge=False)
    table.add_column("key", justify="right", no_wrap=True, width=3, style="bold")
    table.add_column("code", no_wrap=True, overflow="ellipsis", max_width=60)
    for index, coder in enumerate(review.coders):
        header = Text()
        if index < len(COLUMN_KEYS):
            header.append(f" {COLUMN_KEYS[index]} ", style="bold reverse")
            header.append(" ")
        header.append(coder)
        table.add_column(header, justify="center", no_wrap=True, overflow="ellipsis",
                         max_width=16)
    table.add_column("consensus", justify="center", no_wrap=True, style="bold")
    agreed = review.agreed(item, codings)
    extra = review.ordered(codings[CONSENSUS] - set(item.codes) - set(agreed))
    rows = ([(str(n), c, "") for n, c in enumerate(item.codes, start=1)]
            + [("", c, "agreed") for c in agreed] + [("", c, "consensus only") for c in extra])
    for key, code_id, note in rows:
        code = review.project.code_by_id(code_id)
        colour = code_colour(code)
        name = Text("■ ", style=colour)
        name.append(code.name, style="dim" if note == "agreed" else "bold")
        if note:
            name.append(f"  {note}", style="dim italic")
        marks: list[Text | str] = []
        for coder in review.coders:
            if coder not in item.reviewers:
                marks.append(Text("not reviewed", style="dim"))
            elif code_id in codings[coder]:
                marks.append(Text("●", style=f"dim {colour}" if note else colour))
            else:
                marks.append(Text("·", style="dim"))
        chosen = code_id in codings[CONSENSUS]
        marks.append(Text("✔", style="bold green") if chosen else Text("·", style="dim"))
        table.add_row(key, name, *marks)
    return table


class ConsensusScreen(Screen[None]):
    """Walk the disagreements; every key records the consensus at once."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n,enter", "move(1)", "Next", tooltip="Next disputed paragraph"),
        Binding("p", "move(-1)", "Previous", show=False,
                tooltip="Previous disputed paragraph"),
        Binding("o", "next_open", "Next open", show=False,
                tooltip="Next paragraph not resolved yet"),
        *[Binding(str(n), f"code({n})", "Toggle" if n == 1 else f"Toggle code {n}",
                  show=n == 1, key_display="1-9" if n == 1 else None)
          for n in range(1, 10)],
        *[Binding(key, f"take({i})", "Take coder" if i == 0 else f"Take coder {i + 1}",
                  show=i == 0, key_display="a b…" if i == 0 else None)
          for i, key in enumerate(COLUMN_KEYS)],
        Binding("e", "accept_all", "All", tooltip="Accept every code any coder applied here"),
        Binding("x", "no_code", "None", tooltip="Agreed: none of the disputed codes applies"),
        Binding("A", "carry_over", "Carry over agreed", show=False,
                tooltip="Give consensus every coding all coders agree on, on paragraphs "
                        "without a disagreement (one change)"),
        Binding("u", "undo", "Undo", tooltip="Undo consensus's latest change"),
        Binding("U,ctrl+r", "redo", "Redo", show=False, tooltip="Redo consensus's undone change"),
        Binding("ctrl+l", "refresh", "Find again", show=False,
                tooltip="Find the disagreements again (after coders changed their codings)"),
        Binding("question_mark", "help", "Keys"),
        Binding("escape,q", "back", "Back", tooltip="Back to coding"),
    ]

    def __init__(self, session: Session, coders: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.session = session
        self.wanted_coders = coders
        self.review: Review | None = None
        self.message = ""

    def compose(self) -> ComposeResult:
        """Title, where, the text, the table of codes, the status line, the keys."""
        yield Label("Consensus review", id="consensus-title", classes="dialog-title")
        yield Label("", id="consensus-place")
        with VerticalScroll(id="consensus-text"):
            yield Static("finding the disagreements…", id="consensus-body")
        yield Static("", id="consensus-table")
        yield Static("", id="consensus-status")
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        """Find the disagreements in the background."""
        self.load()

    @work(thread=True, exclusive=True, group="consensus")
    def load(self, keep: int | None = None) -> None:
        """Find and group the disagreements on the read-only connection."""
        worker = get_current_worker()
        try:
            found = self.session.read(lambda reader: find(reader, self.wanted_coders))
        except QcodeError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._failed, str(exc))
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._loaded, found, keep)

    def _failed(self, message: str) -> None:
        self.review = None
        self.query_one("#consensus-body", Static).update(
            Text.assemble(("Nothing to review: ", "bold"), message))
        self.notify(message, severity="warning")

    def _loaded(self, found: Found, keep: int | None) -> None:
        self.review = Review(self.session.project, found)
        if keep is not None:
            self.review.go_to(keep)
        self.show()

    # -- drawing -----------------------------------------------------------------------

    def show(self) -> None:
        """Redraw everything from the project (cheap: one paragraph's codings)."""
        review = self.review
        title = self.query_one("#consensus-title", Label)
        place = self.query_one("#consensus-place", Label)
        body = self.query_one("#consensus-body", Static)
        table = self.query_one("#consensus-table", Static)
        if review is None:
            return
        item = review.current
        names = ", ".join(review.coders)
        if item is None:
            title.update(f"Consensus review — {names}")
            place.update("")
            body.update("No disagreements: the coders agree on every paragraph they both "
                        "reviewed.\n\nA gives consensus the codings they agree on, so "
                        "reports on consensus count them.")
            table.update("")
            self._status()
            return
        title.update(f"Consensus review — {names} · paragraph {review.position + 1} of "
                     f"{len(review.items)} · {len(review.resolved)} resolved")
        codings = review.codings(item)
        where = Text(no_wrap=True, overflow="ellipsis")
        if item.paragraph_id not in review.resolved:
            where.append("open", style="bold yellow")
        elif codings[CONSENSUS]:
            where.append("resolved", style="bold green")
        else:
            where.append("resolved: agreed no code", style="bold green")
        where.append(f" · {item.document} {item.ref}", style="bold")
        if item.section:
            where.append(f" · {item.section}", style="dim")
        place.update(where)
        body.update(item.text)
        self.query_one("#consensus-text", VerticalScroll).scroll_home(animate=False)
        table.update(review_table(review, item, codings))
        self._status()

    def _status(self) -> None:
        hint = "✔ = consensus has it · 1-9 toggle a code · a b… take a coder's column"
        line = Text(self.message or hint, style="italic" if self.message else "dim")
        self.query_one("#consensus-status", Static).update(line)

    def say(self, message: str) -> None:
        """Put what the last key did under the table."""
        self.message = message
        self.show()

    def outside_changes(self, message: str) -> None:
        """Someone else wrote: recount what is resolved and redraw this paragraph."""
        if self.review is not None:
            self.review.recount()
        self.say(message + " (ctrl+l finds the disagreements again)")

    # -- keys --------------------------------------------------------------------------

    def _act(self, action: Callable[[Review], T]) -> T | None:
        review = self.review
        if review is None or review.current is None:
            self.notify("no disputed paragraph here", severity="warning")
            return None
        return attempt(self.app, self.session.project.path, lambda: action(review))[0]

    def _write(self, action: Callable[[Review], str]) -> None:
        message = self._act(action)
        if message is not None:
            self.say(message)

    def action_move(self, delta: int) -> None:
        """Next (1) or previous (-1) paragraph."""
        if self.review is None:
            return
        if not self.review.move(delta):
            self.notify("that was the last disputed paragraph" if delta > 0
                        else "this is the first disputed paragraph")
            return
        self.message = ""
        self.show()

    def action_next_open(self) -> None:
        """The next paragraph not resolved yet (wrapping around)."""
        review = self.review
        if review is None or not review.items:
            return
        count = len(review.items)
        for step in range(1, count + 1):
            index = (review.position + step) % count
            if review.items[index].paragraph_id not in review.resolved:
                review.position = index
                self.message = ""
                self.show()
                return
        self.notify("the disputed paragraph is resolved" if count == 1
                    else f"all {count} disputed paragraphs are resolved")

    def action_code(self, number: int) -> None:
        """Add the N-th disputed code to the consensus, or take it off."""
        self._write(lambda r: r.toggle(number))

    def action_take(self, index: int) -> None:
        """The consensus becomes this coder's codes on the paragraph."""
        if self.review is None or index >= len(self.review.coders):
            return
        coder = self.review.coders[index]
        self._write(lambda r: r.take(coder))

    def action_accept_all(self) -> None:
        """Every code any coder applied."""
        self._write(lambda r: r.accept_all())

    def action_no_code(self) -> None:
        """None of the disputed codes applies."""
        self._write(lambda r: r.no_code())

    def action_undo(self) -> None:
        """Undo consensus's latest change."""
        self._write(lambda r: r.undo())

    def action_redo(self) -> None:
        """Redo consensus's latest undone change."""
        self._write(lambda r: r.redo())

    def action_carry_over(self) -> None:
        """Ask, then give consensus every coding all coders agree on."""
        review = self.review
        if review is None:
            return
        pairs = attempt(self.app, self.session.project.path,
                        lambda: agreed_pairs(self.session.project, review.coders))[0]
        if pairs is None:
            return
        if not pairs:
            self.notify("consensus already has every coding the coders agree on")
            return

        def confirmed(yes: bool | None) -> None:
            # Not through _write: there may be agreed codings and no disagreement at all.
            message = attempt(self.app, self.session.project.path,
                              lambda: review.carry_over(pairs))[0] if yes else None
            if message is not None:
                self.say(message)

        self.app.push_screen(Confirm(
            "Carry over agreed codings",
            f"{len(pairs)} coding{'s' if len(pairs) != 1 else ''} that every reviewing "
            "coder applied, not yet consensus's. Give them to consensus? (one change; u "
            "undoes it)",
            yes="carry over"), confirmed)

    def action_refresh(self) -> None:
        """Find the disagreements again, staying on this paragraph."""
        current = self.review.current if self.review else None
        self.message = "found the disagreements again"
        self.load(current.paragraph_id if current else None)

    def action_help(self) -> None:
        """Every key, and the rules."""
        letters = " ".join(COLUMN_KEYS[:4]) + " …"
        shown = [b for b in self.BINDINGS if isinstance(b, Binding)
                 and not b.action.startswith(("code(", "take("))]
        self.app.push_screen(HelpModal([
            ("Consensus review", [
                Binding("1 … 9", "", "Toggle that code in dispute (its number in the "
                                     "table) for consensus"),
                Binding(letters, "", "Take the codes of the coder whose column has that "
                                     "letter"),
                *shown,
            ]),
            ("How consensus is recorded", [Binding("", "", RULES)]),
        ]))

    def action_back(self) -> None:
        """Back to the coding screen."""
        self.dismiss(None)
