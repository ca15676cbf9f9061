"""The coding screen: documents and codebook on the left, the reader in the middle,
the status line at the bottom; every coding action is a key."""

from __future__ import annotations

from collections.abc import Callable, Collection
from contextlib import suppress
from typing import TYPE_CHECKING, Any, ClassVar, Self, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.geometry import Region
from textual.screen import Screen
from textual.worker import get_current_worker

from qcode.core.errors import QcodeError
from qcode.core.model import Code, DocumentSummary
from qcode.tui import memory
from qcode.tui.guard import attempt
from qcode.tui.keymap import SLOTS
from qcode.tui.live import Watching
from qcode.tui.modals.dialog import Dialog
from qcode.tui.session import Session
from qcode.tui.widgets.codebook import CodebookPane
from qcode.tui.widgets.documents import DocumentsPane
from qcode.tui.widgets.footer import KeyFooter
from qcode.tui.widgets.reader import Reader
from qcode.tui.widgets.status import StatusBar, describe

if TYPE_CHECKING:
    from qcode.tui.modals.picker import Pick

T = TypeVar("T")
R = TypeVar("R")
D = TypeVar("D", bound=Screen[Any])

# The dialogs and the screens' bigger jobs are imported when first used: the first
# screen needs none of them.


class MainScreen(Screen[None]):
    """Where the coding happens."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # One footer entry stands for all nine keys.
        *[Binding(str(n), f"slot({n})", "Tag" if n == 1 else f"Toggle the code on key {n}",
                  show=n == 1, key_display="1-9" if n == 1 else None)
          for n in range(1, SLOTS + 1)],
        Binding("c", "pick", "Code",
                tooltip="Code picker: type part of a code's name, Enter applies or removes "
                        "it; Ctrl+N there creates a new code"),
        Binding("slash", "search", "Search",
                tooltip="Search every document (typos forgiven); Enter on a hit goes "
                        "there; Tab, then a, codes every hit (one change)"),
        Binding("s", "similar", "Paragraphs like this one", show=False,
                tooltip="The paragraphs across the project most like this one, with the "
                        "words they share; t there codes one like it, Enter goes there"),
        Binding("g,section_sign", "go_to", "Go to a label (§12) or number", show=False),
        Binding("m", "memo", "Memo on the paragraph", show=False),
        Binding("M", "coding_memo", "Memo on one of its codings", show=False),
        Binding("f", "filter", "Show only a theme or a speaker", show=False,
                tooltip="Show only the paragraphs of a theme — a code with its sub-codes, "
                        "as reports count it — or the turns of one speaker"),
        Binding("F", "clear_filter", "Show all paragraphs again", show=False),
        Binding("u", "undo", "Undo", tooltip="Undo your latest change (as `qcode undo`)"),
        Binding("U,ctrl+r", "redo", "Redo", show=False),
        Binding("i", "info", "The codes on the paragraph", show=False,
                tooltip="The codes on the current paragraph, with who applied them and "
                        "their definitions (in the codebook pane: the code under the "
                        "cursor)"),
        Binding("escape", "to_reader", "Back to the reader", show=False,
                tooltip="From the documents or codebook pane, back to the reader"),
        Binding("d", "focus_pane('documents-pane')", "Documents pane", show=False),
        Binding("t", "focus_pane('codebook-pane')", "Codebook pane", show=False),
        Binding("C", "coder", "Choose the coder", show=False),
        Binding("b", "blind", "Blind mode: hide other coders' codings", show=False),
        Binding("R", "report", "Report: code frequencies", show=False),
        Binding("A", "consensus", "Consensus review", show=False,
                tooltip="Walk the paragraphs where coders disagree and record the agreed "
                        "codes as the coder \"consensus\""),
        Binding("ctrl+k", "merge_codebook", "Merge a shared codebook file", show=False,
                tooltip="Merge a shared codebook file: review each proposal, then apply "
                        "(one change)"),
        Binding("I", "import_documents", "Import documents", show=False,
                tooltip="Import documents (files, a folder, or a pattern like "
                        "interviews/*.txt) with a progress bar; Esc stops cleanly"),
        Binding("S", "sync", "Sync through the shared folder", show=False,
                tooltip="Merge the team's copies from the shared folder (Dropbox, "
                        "Syncthing…) and publish yours: `qcode sync`"),
        Binding("ctrl+l", "refresh", "Re-read the project", show=False,
                tooltip="Re-read the project now (other coders' changes also appear by "
                        "themselves within 2 seconds)"),
        Binding("question_mark", "help", "All keys", tooltip="This list"),
        Binding("q", "quit", "Quit", tooltip="Quit (every change is already saved)"),
    ]

    def __init__(self, session: Session, *, paragraph_id: int | None = None) -> None:
        super().__init__()
        self.session = session
        self.start_at = paragraph_id
        self.message = ""
        # The paragraph the message is about: moving elsewhere clears it, so the
        # status never says "tagged §2" while §12 is shown.
        self.message_at: int | None = None
        self.positions: dict[int, int] = {}
        self.last_codebook: list[str] = []
        self._dialogs: dict[type[Screen[Any]], Screen[Any]] = {}
        self._covering = False  # while cover() pushes a dialog over this screen

    def compose(self) -> ComposeResult:
        """Two columns, then the status line and the key hints."""
        with Horizontal(id="body"):
            with Vertical(id="side"):
                yield DocumentsPane(self.session, id="documents-pane")
                yield CodebookPane(self.session, id="codebook-pane")
            yield Reader(self.session, id="reader")
        yield StatusBar(id="status")
        yield KeyFooter(compact=True)

    @property
    def reader(self) -> Reader:
        """The reader widget."""
        return self.query_one(Reader)

    @property
    def codebook(self) -> CodebookPane:
        """The codebook pane."""
        return self.query_one(CodebookPane)

    @property
    def documents(self) -> DocumentsPane:
        """The documents pane."""
        return self.query_one(DocumentsPane)

    def on_mount(self) -> None:
        """Open where the coder left off (or the first document), reader focused; on a
        big project, count the codes and the progress once this screen is drawn."""
        self.reader.show_document(self.start_at)
        self.reader.focus()
        self.say("j/k move · space read on · 1-9 or c: code · u undo · ? all keys")
        if not self.session.counted:
            self.call_after_refresh(self.count_in_background)
        self.call_after_refresh(self.prepare_dialogs)

    def prepare_dialogs(self) -> None:
        """Get ``f`` and ``/`` ready ahead of their first opening, once this screen is
        drawn (:meth:`Dialog.prepare`): on the UI thread, between the keys."""
        from qcode.tui.screens import finding

        async def prepare() -> None:
            for dialog in finding.kept_dialogs(self):
                await dialog.prepare()
            memory.settle()  # what they hold lives as long as the app, as the screen

        self.run_worker(prepare(), group="prepare-dialogs")

    def count_in_background(self) -> None:
        """Read the coder's counts and progress on the worker connection; the screen
        shows them as being counted meanwhile and stays at the keys' disposal."""
        self.run_worker(self._count, thread=True, group="counting")

    def _count(self) -> None:
        worker = get_current_worker()
        session = self.session
        try:
            counted = session.read(session.read_counts)
        except QcodeError as exc:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.notify, f"could not count: {exc}",
                                          severity="error")
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._counted, *counted)
        # A project big enough to be counted here has a big search vocabulary too:
        # loading it now spares the first search that wait.
        with suppress(QcodeError):
            session.warm_search()

    def _counted(self, generation: int, counts: dict[int, int],
                 documents: list[DocumentSummary]) -> None:
        if self.session.take_counts(generation, counts, documents):
            self.codebook.refresh_labels()
            self.documents.refresh_list()
        elif not self.session.counted:
            # A change made here while they were read: they may not include it.
            self.count_in_background()

    def dialog(self, kind: type[D], make: Callable[[], D], again: Callable[[D], None]) -> D:
        """A dialog opened again and again (``f``, ``/``): built on its first opening and
        kept installed, then made ready by ``again`` for each next one. Building it
        each time (its widgets, their styles, its own layouts of the screen) was the
        larger part of opening it."""
        kept = self._dialogs.get(kind)
        if isinstance(kept, kind) and kept.is_attached:
            again(kept)
            return kept
        made = make()
        self.app.install_screen(made, f"{kind.__name__}-{id(self)}")
        self._dialogs[kind] = made
        return made

    def cover(self, dialog: Screen[R], callback: Callable[[R | None], None]) -> None:
        """Open a dialog over this screen without repainting this screen first.

        Textual repaints the screen a dialog covers, whole, as it pushes the dialog;
        nothing on it has changed, but that repaint reaches the dialog above as one
        more frame, drawn a frame period later (a third of the time ``f`` and ``/``
        took to open). The dialog's backdrop is drawn from this screen as it is."""
        def closed(result: R | None) -> None:
            callback(result)
            if isinstance(dialog, Dialog):
                self.call_after_refresh(self._ready_again, dialog)

        self._covering = True
        try:
            self.app.push_screen(dialog, closed)
        finally:
            self._covering = False

    def _ready_again(self, dialog: Dialog[Any]) -> None:
        """A kept dialog just closed: show it as new and lay it out off screen now,
        once what it chose is drawn, rather than on its next opening (a filter list
        left narrowed to a theme took two frames to show whole again)."""
        if dialog not in self.app.screen_stack:
            dialog.reset()
            self.run_worker(dialog.prepare(), group="prepare-dialogs")

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """Textual's refresh, but for the needless whole repaint of :meth:`cover`."""
        if self._covering and not (regions or layout or recompose):
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout,
                               recompose=recompose)

    # -- doing things safely -----------------------------------------------------------

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run a project call; a refusal becomes a notification, never a traceback."""
        result, error = attempt(self.app, self.session.project.path, action)
        if error:
            self.say(f"not done: {error}")
        return result

    def say(self, message: str) -> None:
        """Put what the last action did on the status line (until the reader moves to
        another paragraph)."""
        self.message = message
        current = self.reader.current
        self.message_at = current.id if current is not None else None
        self.update_status()

    def update_status(self) -> None:
        """Redraw the status line."""
        self.query_one(StatusBar).show(describe(self.session, self.reader, self.message))

    def show_here(self) -> None:
        """Mark, in the codebook pane, the codes on the current paragraph."""
        current = self.reader.current
        self.codebook.show_here(self.session.codes_here(current.id) if current else {})

    def after_write(self, message: str, *, codebook: bool = False,
                    codes: set[int] | None = None,
                    paragraphs: Collection[int] | None = None) -> None:
        """Show a committed change everywhere it is visible (``codes``: only these
        codes' counts can have changed; ``paragraphs``: only these paragraphs' codings
        or memos)."""
        if codebook:
            self.codebook.rebuild()
        else:
            self.codebook.refresh_labels(codes)
        self.show_here()
        self.documents.refresh_list()
        self.reader.changed(None if codebook else paragraphs)
        self.say(message)

    def after_reload(self, message: str) -> None:
        """After undo/redo or a coder switch: everything may have changed."""
        current = self.reader.current
        self.reader.reload(current.id if current else None)
        self.after_write(message, codebook=True)

    def on_reader_moved(self, event: Reader.Moved) -> None:
        """Keep the status line and the codebook's marks on the current paragraph."""
        current = self.reader.current
        if current is not None and self.session.view is not None:
            self.positions[self.session.view.document.id] = current.id
        # (A filter that keeps nothing says so with no paragraph current: kept.)
        if self.message and (current.id if current else None) != self.message_at:
            self.message = ""
        self.show_here()
        self.update_status()

    # -- documents ---------------------------------------------------------------------

    def outside_changes(self, message: str) -> None:
        """Another process wrote (or a screen on top did): re-read counts, progress and
        the codings on screen, keeping the cursor, the selection and the filter."""
        current = self.reader.current
        tree = self.session.tree
        if self.session.refresh():
            self.reader.reload(current.id if current else None)
        else:
            self.reader.changed()
        if self.session.tree != tree:
            self.codebook.rebuild()
        else:
            self.codebook.refresh_labels()
        self.show_here()
        self.documents.refresh_list()
        self.say(message)

    def action_refresh(self) -> None:
        """Re-read the project now."""
        app = self.app
        if isinstance(app, Watching):
            app.check_for_changes(force=True)

    def on_documents_pane_open(self, event: DocumentsPane.Open) -> None:
        """Open the chosen document where the coder last was in it."""
        self.open_document(event.document_id)

    def open_document(self, document_id: int) -> None:
        """Show a document where the coder last was in it."""
        if self.attempt(lambda: self.session.open_document(document_id)) is None:
            return
        self.reader.show_document(self.positions.get(document_id))
        self.documents.refresh_list()
        self.reader.focus()
        self.say(f"opened {self.session.view.document.name if self.session.view else ''}")

    def action_focus_pane(self, pane: str) -> None:
        """Move the keyboard focus to a pane's list."""
        widget = (self.documents.options if pane == "documents-pane"
                  else self.codebook.code_tree)
        widget.focus()

    def action_to_reader(self) -> None:
        """Escape in a pane: back to the reader."""
        self.reader.focus()

    # -- coding ------------------------------------------------------------------------

    def _targets(self) -> list[int] | None:
        targets = self.reader.selected_ids()
        if not targets:
            self.notify("open a document first (d, then Enter)", severity="warning")
            return None
        return targets

    def toggle(self, code: Code) -> None:
        """Toggle a code on the selection (or the current paragraph)."""
        targets = self._targets()
        if targets is None:
            return
        message = self.attempt(lambda: self.session.toggle(targets, code))
        if message is not None:
            self.reader.clear_selection()
            self.after_write(message, codes={code.id}, paragraphs=targets)

    def action_slot(self, number: int) -> None:
        """Keys 1–9 toggle the code on that key."""
        code = self.session.on_key(number)
        if code is None:
            self.notify(f"no code on key {number} (P in the codebook puts one there)",
                        severity="warning")
            return
        self.toggle(code)

    def on_codebook_pane_changed(self, event: CodebookPane.Changed) -> None:
        """A codebook edit was committed: redraw what shows codes."""
        if event.reload:
            self.after_reload(event.message)
        else:
            self.after_write(event.message, codebook=True)

    def on_codebook_pane_said(self, event: CodebookPane.Said) -> None:
        """A codebook action has something to say (a cancelled delete, say)."""
        self.say(event.message)

    def on_codebook_pane_apply(self, event: CodebookPane.Apply) -> None:
        """Enter on a code in the tree toggles it."""
        code = self.session.codes.get(event.code_id)
        if code is not None:
            self.toggle(code)

    def action_pick(self) -> None:
        """The fuzzy code picker: Enter toggles the chosen code, or creates a new one."""
        targets = self._targets()
        if targets is None:
            return
        own = [self.session.own_codes(p) for p in targets]
        checked = set.intersection(*own) if own else set()
        where = self.session.describe(targets)

        def chosen(pick: Pick | None) -> None:
            if pick is None:
                return
            if pick.code is not None:
                self.toggle(pick.code)
            elif pick.create:
                self.create_code(pick.create, then_tag=True)

        from qcode.tui.modals.picker import CodePicker

        self.app.push_screen(CodePicker(self.session, title=f"Code {where}", checked=checked,
                                        allow_create=True), chosen)

    def create_code(self, name: str, *, then_tag: bool) -> None:
        """Open the code editor for a new code; optionally tag the selection with it."""
        targets = self.reader.selected_ids()

        def created(code: Code) -> None:
            message = f"added code {code.name!r}"
            if then_tag and targets:
                tagged = self.attempt(lambda: self.session.tag(targets, code))
                message = f"{message}; {tagged}" if tagged else message
                self.reader.clear_selection()
            self.after_write(message, codebook=True)

        self.codebook.new_code(name=name, parent=None, then=created)

    # -- memos -------------------------------------------------------------------------

    def action_memo(self) -> None:
        """Write a memo on the current paragraph."""
        from qcode.tui.screens import memos

        memos.paragraph_memo(self)

    def action_edit_paragraph(self) -> None:
        """Correct the current paragraph's text (its codings follow their text)."""
        from qcode.tui.screens import editing

        editing.edit_paragraph(self)

    def action_coding_memo(self) -> None:
        """Write a memo on one of the coder's codings of the current paragraph."""
        from qcode.tui.screens import memos

        memos.coding_memo(self)

    # -- finding -----------------------------------------------------------------------

    def action_go_to(self) -> None:
        """Jump to a paragraph by label (§12, note 3) or number."""
        from qcode.tui.screens import finding

        finding.go_to(self)

    def show_paragraph(self, paragraph_id: int) -> None:
        """Make a paragraph current, dropping a filter that hides it."""
        if not self.reader.go_to(paragraph_id):
            self.reader.set_filter(None)
            self.reader.go_to(paragraph_id)
            self.notify("filter cleared to show that paragraph")
        self.update_status()

    def action_search(self) -> None:
        """Search every document; Enter on a hit opens it there."""
        from qcode.tui.screens import finding

        finding.search(self)

    def action_similar(self) -> None:
        """The paragraphs most like the current one (t codes one like it)."""
        from qcode.tui.screens import finding

        finding.similar(self)

    def action_filter(self) -> None:
        """Show only paragraphs carrying a code."""
        from qcode.tui.screens import finding

        finding.filter_by_code(self)

    def action_clear_filter(self) -> None:
        """Show every paragraph again."""
        if self.reader.filter is not None:
            self.reader.set_filter(None)
            self.say("showing all paragraphs")
        else:
            self.say("no filter on: every paragraph is shown")

    # -- who is coding -----------------------------------------------------------------

    def action_coder(self) -> None:
        """Switch coder (a new name starts a new coder on their first change)."""
        from qcode.tui.screens import coders

        coders.switch_coder(self)

    def action_blind(self) -> None:
        """Hide (or show again) other coders' codings."""
        from qcode.tui.screens import coders

        coders.toggle_blind(self)

    def action_undo(self) -> None:
        """Undo the coder's latest change (the same as `qcode undo`)."""
        message = self.attempt(self.session.undo)
        if message is not None:
            self.after_reload(message)

    def action_redo(self) -> None:
        """Redo the coder's latest undone change."""
        message = self.attempt(self.session.redo)
        if message is not None:
            self.after_reload(message)

    # -- other screens -----------------------------------------------------------------

    def action_info(self) -> None:
        """In the codebook pane, the entry of the code under its cursor; elsewhere the
        codes on the current paragraph."""
        from qcode.tui.modals.info import CodeInfo, ParagraphCodes

        if self.codebook.code_tree.has_focus:
            code = self.codebook.highlighted
            if code is not None:
                path = self.session.project.code_path(code)
                count = self.session.counts.get(code.id, 0) if self.session.counted else None
                self.app.push_screen(CodeInfo(code, path, count))
            return
        current = self.reader.current
        if current is None:
            self.notify("open a document first (d, then Enter)", severity="warning")
            return
        self.app.push_screen(ParagraphCodes(current, self.session.who_coded(current.id)))

    def action_report(self) -> None:
        """Code frequencies with bars."""
        from qcode.tui.screens.report import ReportScreen

        self.app.push_screen(ReportScreen(self.session))

    def action_consensus(self) -> None:
        """The consensus review of the coders' disagreements."""
        from qcode.tui.screens import tools  # the bigger jobs load when opened

        tools.consensus_review(self)

    def action_merge_codebook(self) -> None:
        """Review and apply the merge of a shared codebook file."""
        from qcode.tui.screens import tools  # the bigger jobs load when opened

        tools.merge_codebook(self, self.last_codebook)

    def action_import_documents(self) -> None:
        """Import documents with a progress bar."""
        from qcode.tui.screens import tools  # the bigger jobs load when opened

        tools.import_documents(self)

    def action_sync(self) -> None:
        """Sync through the team's shared folder."""
        from qcode.tui.screens import tools  # the bigger jobs load when opened

        tools.sync_through_folder(self)

    def action_help(self) -> None:
        """Every key."""
        from qcode.tui.modals.help import HelpModal, coding_screen_help

        self.app.push_screen(HelpModal(coding_screen_help(self.BINDINGS)))

    async def action_quit(self) -> None:
        """Leave (every change is already committed)."""
        await self.app.action_quit()
