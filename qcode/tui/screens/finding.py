"""Finding a place from the coding screen: a label, a search hit, a code's paragraphs;
and coding every hit of a search at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.markup import escape

from qcode.core.search import Hit
from qcode.core.similar import Similar
from qcode.tui.modals.confirm import Confirm
from qcode.tui.modals.dialog import Dialog
from qcode.tui.modals.filter_picker import FilterPicker
from qcode.tui.modals.picker import CodePicker, Pick
from qcode.tui.modals.prompt import Prompt
from qcode.tui.modals.search import CodeEveryHit, SearchModal
from qcode.tui.modals.similar import SimilarModal

if TYPE_CHECKING:
    from qcode.tui.screens.coding import CodingScreen
    from qcode.tui.session import Session


def go_to(screen: CodingScreen) -> None:
    """Ask for a label (§12, note 3) or number and jump there."""
    session = screen.session
    view = session.view
    if view is None:
        return

    def answered(ref: str | None) -> None:
        wanted = (ref or "").strip()
        # The prompt starts with "§"; "§note 3" means the label "note 3".
        if wanted.startswith("§") and not wanted[1:].strip()[:1].isdigit():
            wanted = wanted[1:].strip()
        if not wanted or session.view is None:
            return
        paragraph = screen.attempt(lambda: session.project.paragraph(view.document, wanted))
        if paragraph is not None:
            screen.show_paragraph(paragraph.id)

    screen.app.push_screen(Prompt("Go to paragraph", value="§",
                                  placeholder="§12, note 3, or a number"), answered)


def search(screen: CodingScreen) -> None:
    """Search every document; Enter on a hit opens it there, matches marked."""
    session = screen.session

    def chosen(hit: Hit | CodeEveryHit | None) -> None:
        if isinstance(hit, CodeEveryHit):
            code_every_hit(screen, hit.query)
            return
        if hit is None:
            return
        view = session.view
        if view is None or view.document.id != hit.paragraph.document_id:
            if screen.attempt(lambda: session.open_document(
                    hit.paragraph.document_id)) is None:
                return
            screen.reader.show_document(hit.paragraph.id)
            screen.documents.refresh_list()
        screen.show_paragraph(hit.paragraph.id)
        screen.reader.set_matches(hit.paragraph.id, hit.matches)
        screen.say(f"found in {hit.document} {hit.paragraph.ref} (Esc clears the marks)")

    dialog = screen.dialog(SearchModal, lambda: SearchModal(session), SearchModal.reset)
    screen.cover(dialog, chosen)


def kept_dialogs(screen: CodingScreen) -> Iterator[Dialog[Any]]:
    """The dialogs of ``f`` and ``/``, each built when reached if it is not yet (as it
    is if it is): what :meth:`Dialog.prepare` gets ready ahead of their first opening.
    One at a time, so that none is built and left unregistered while another is
    prepared (a key meanwhile would build it again)."""
    session = screen.session

    def as_they_are(_kept: Dialog[Any]) -> None:
        pass

    yield screen.dialog(FilterPicker, lambda: _filter_picker(session), as_they_are)
    yield screen.dialog(SearchModal, lambda: SearchModal(session), as_they_are)


def _filter_picker(session: Session) -> FilterPicker:
    return FilterPicker(session, speakers=session.speakers())


def code_every_hit(screen: CodingScreen, query: str) -> None:
    """Pick a code, see how many paragraphs it would go on (every hit, not the page
    shown), confirm: one change, as ``qcode autocode`` makes it."""
    session = screen.session

    def picked(pick: Pick | None) -> None:
        if pick is None or pick.code is None:
            return
        code = pick.code
        planned = screen.attempt(lambda: session.plan_autocode(query, code))
        if planned is None:
            return
        if not planned.pairs:
            screen.say(f"nothing to change: the {planned.paragraphs} paragraphs matching "
                       f"{query!r} already carry {code.name!r}")
            return
        noun = "paragraph" if planned.to_tag == 1 else "paragraphs"
        already = (f" ({planned.already} of the {planned.paragraphs} hits already carry it)"
                   if planned.already else "")
        message = escape(f"Tag {planned.to_tag} {noun} matching {query!r} with "
                         f"{code.name!r}?{already}\nOne change: u undoes it.")

        def confirmed(yes: bool | None) -> None:
            if yes:
                done = screen.attempt(lambda: session.autocode(planned))
                if done is not None:
                    screen.after_reload(done)

        screen.app.push_screen(Confirm("Code every hit", message, yes="tag them"), confirmed)

    screen.app.push_screen(CodePicker(session, title=f"Code every hit of {query!r} with…"),
                           picked)


def similar(screen: CodingScreen) -> None:
    """The paragraphs most like the current one; t there codes one like it, Enter goes
    there with the shared words marked."""
    session = screen.session
    source = screen.reader.current
    if source is None or session.view is None:
        screen.notify("open a document first (d, then Enter)", severity="warning")
        return
    where = f"{session.view.document.name} {source.ref}"
    codes = sorted(session.codes[c].name for c in session.own_codes(source.id)
                   if c in session.codes and session.codes[c].codable)
    gives = ("t gives the highlighted one " + ", ".join(repr(c) for c in codes) if codes
             else "t: code this paragraph first to pass its codes on")

    def tag(found: Similar) -> str | None:
        target = f"{found.document} {found.paragraph.ref}"
        message = screen.attempt(lambda: session.tag_like(source.id, found.paragraph.id,
                                                          target))
        if message is not None:
            screen.after_write(message)
        return message

    def chosen(found: Similar | None) -> None:
        if found is None:
            return
        paragraph = found.paragraph
        view = session.view
        if view is None or view.document.id != paragraph.document_id:
            if screen.attempt(lambda: session.open_document(paragraph.document_id)) is None:
                return
            screen.reader.show_document(paragraph.id)
            screen.documents.refresh_list()
        screen.show_paragraph(paragraph.id)
        screen.reader.set_matches(paragraph.id, found.matches)
        screen.say(f"{found.document} {paragraph.ref} is like {where}: shares "
                   f"{', '.join(found.shared[:5])} (Esc clears the marks)")

    screen.app.push_screen(SimilarModal(session, source, where, tag, gives), chosen)


def filter_by_code(screen: CodingScreen) -> None:
    """Pick a theme (a code and every code below it, as the reports roll it up) or a
    speaker; the reader then shows only their paragraphs."""
    session = screen.session
    if session.view is None:
        screen.notify("open a document first (d, then Enter)", severity="warning")
        return

    def chosen(pick: Pick | None) -> None:
        if pick is None:
            return
        if pick.code is not None:
            code = pick.code
            wanted = screen.attempt(lambda: session.theme(code))
        elif pick.speaker is not None:
            name = pick.speaker
            wanted = screen.attempt(lambda: session.speaker_filter(name))
        else:
            return
        if wanted is not None:
            count = screen.reader.set_filter(wanted)
            screen.say(wanted.matched(count))

    picker = screen.dialog(FilterPicker, lambda: _filter_picker(session),
                           lambda kept: kept.show_speakers(session.speakers()))
    screen.cover(picker, chosen)
