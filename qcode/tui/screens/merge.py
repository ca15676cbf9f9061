"""The codebook merge review: every proposal of merging a shared codebook file into
the project's, each accepted or declined by a key, then applied as one change.

The same plan as ``qcode codebook merge FILE`` (:mod:`qcode.tui.merging`): guesses from
name similarity start declined; ``r`` picks who wins where both sides changed a value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Label, Static

from qcode.core.codebook.merge import GUESSES
from qcode.core.codebook.merge_apply import MergeOutcome
from qcode.tui.guard import attempt
from qcode.tui.merging import MergeReview, change, detail, mark
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.help import HelpModal
from qcode.tui.session import Session
from qcode.tui.widgets.footer import KeyFooter
from qcode.tui.wording import plural

T = TypeVar("T")

RULE_WORDS = {
    "ours": "ours: where both sides changed a name, place, colour or text, keep ours",
    "theirs": "theirs: where both sides changed a value, take theirs",
    "both": "both: take their name, place and colour; keep both texts, theirs marked",
}


class MergeScreen(Screen[MergeOutcome | None]):
    """Dismissed with what the merge did, or None when nothing was written."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "flip", "Accept/decline",
                tooltip="Accept or decline the highlighted proposal"),
        Binding("r", "rule", "Rule", tooltip="Where both sides changed a value: keep ours, "
                                              "take theirs, or both (plans again)"),
        Binding("enter", "apply", "Apply", priority=True,
                tooltip="Apply the accepted proposals (asks first; one change, u undoes it)"),
        Binding("j", "cursor(1)", "Next proposal", show=False),
        Binding("k", "cursor(-1)", "Previous proposal", show=False),
        Binding("question_mark", "help", "Keys"),
        Binding("escape,q", "cancel", "Cancel", tooltip="Leave without changing anything"),
    ]

    def __init__(self, session: Session, review: MergeReview) -> None:
        super().__init__()
        self.session = session
        self.review = review

    def compose(self) -> ComposeResult:
        """Title, the proposals, the highlighted one in full, the counts, the keys."""
        yield Label("", id="merge-title")
        yield DataTable(id="merge-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="merge-detail")
        yield Static("", id="merge-summary")
        yield KeyFooter(compact=True)

    @property
    def table(self) -> DataTable[Text | str]:
        """The list of proposals."""
        table: DataTable[Text | str] = self.query_one("#merge-table", DataTable)
        return table

    def on_mount(self) -> None:
        """Fill the table and give it the keyboard."""
        self.table.add_columns("", "#", "kind", "change", "score")
        self.fill()
        self.table.focus()

    def fill(self) -> None:
        """Redraw every row (the cursor stays on its row)."""
        table, plan = self.table, self.review.plan
        row = table.cursor_row
        table.clear()
        for index, proposal in enumerate(plan.proposals):
            score = f"{proposal.score:.0f}" if proposal.score is not None else ""
            table.add_row(mark(plan, proposal), str(index + 1), proposal.kind,
                          change(proposal), score)
        if plan.proposals:
            table.move_cursor(row=min(row, len(plan.proposals) - 1))
        self.query_one("#merge-title", Label).update(Text.assemble(
            ("Merge ", "bold"), (plan.source, "bold cyan"), (" into the project", "bold"),
            "  ·  rule: ", (self.review.rule, "bold"), (" (r: ours / theirs / both)", "dim")))
        self.show_detail()

    def show_detail(self) -> None:
        """The highlighted proposal in full, and what the plan comes to."""
        plan = self.review.plan
        shown = self.query_one("#merge-detail", Static)
        index = self.table.cursor_row
        if not plan.proposals:
            shown.update(Text("Nothing to merge: the codebooks agree.", style="bold"))
        elif 0 <= index < len(plan.proposals):
            shown.update(detail(plan, plan.proposals[index]))
        applied = len(plan.accepted())
        guesses = sum(1 for p in plan.proposals if p.kind in GUESSES
                      and not p.accepted)
        summary = Text(f"{plural(len(plan.proposals), 'proposal')}, {applied} to apply · "
                       f"{plural(plan.unchanged, 'code')} the same · "
                       f"{len(plan.only_ours)} only in the project (kept)", style="dim")
        if guesses:
            summary.append(f"\n[?] {guesses} guess{'es' if guesses != 1 else ''} from name "
                           "similarity, declined until you accept (Space)", style="yellow")
        self.query_one("#merge-summary", Static).update(summary)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the cursor."""
        self.show_detail()

    def _attempt(self, action: Callable[[], T]) -> T | None:
        return attempt(self.app, self.session.project.path, action)[0]

    def action_cursor(self, delta: int) -> None:
        """j/k move like the arrows."""
        if delta > 0:
            self.table.action_cursor_down()
        else:
            self.table.action_cursor_up()

    def action_flip(self) -> None:
        """Accept or decline the highlighted proposal."""
        index = self.table.cursor_row
        if 0 <= index < len(self.review.plan.proposals):
            self.review.toggle(index)
            self.fill()

    def action_rule(self) -> None:
        """Cycle ours / theirs / both and plan again (choices made so far are kept)."""
        if self._attempt(self.review.next_rule) is not None:
            self.fill()
            self.notify(f"rule {RULE_WORDS[self.review.rule]}")

    def action_apply(self) -> None:
        """Say what will change, then apply the accepted proposals as one change."""
        outcome = self._attempt(self.review.preview)
        if outcome is None:
            return
        if not outcome.changed:
            self.notify("nothing to apply: accept a proposal first (Space), or Esc to leave",
                        severity="warning")
            return
        what = outcome.summary.split(": ", 1)[-1]
        moved = ("" if outcome.codings_reassigned else
                 " No coding changes code.")
        message = (f"{what}.{moved}\n\nOne change: u on the coding screen takes it all "
                   "back.")

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            done = self._attempt(lambda: self.review.apply(self.session.coder))
            if done is not None:
                self.dismiss(done)
            else:
                self.review.replan()  # e.g. the codebook changed meanwhile: show anew
                self.fill()

        self.app.push_screen(Confirm(f"Merge {self.review.source}?", message, yes="merge"),
                             confirmed)

    def outside_changes(self, message: str) -> None:
        """Someone changed the project's codebook: plan again against it as it is now."""
        if self._attempt(self.review.stale) and self._attempt(self.review.replan):
            self.fill()
            self.notify(f"{message}: the codebook changed, so the merge was planned again "
                        "(your choices kept)")

    def action_help(self) -> None:
        """Every key."""
        marks = [Binding("", "", "[✓] will be applied · [ ] declined · [?] a guess from "
                                 "name similarity, declined until you accept it · [~] "
                                 "accepted, but waits on a declined merge")]
        self.app.push_screen(HelpModal([("Codebook merge", self.BINDINGS),
                                        ("Marks", marks)]))

    def action_cancel(self) -> None:
        """Leave; nothing was written."""
        self.dismiss(None)
