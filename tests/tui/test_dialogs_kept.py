"""The dialogs opened again and again (``f``, ``/``) are built once and kept; each
opening shows them as new."""

from __future__ import annotations

from typing import Any

from textual.geometry import Region
from textual.widgets import Input, Label, OptionList
from textual.widgets._footer import FooterKey
from tui_helpers import CODER, SIZE, pilot_test, press, settle

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.modals.filter_picker import HINT, FilterPicker
from qcode.tui.modals.search import READY, SearchModal


def mounts(app: QcodeApp, kind: type[Any]) -> int:
    """How many option lists of this dialog kind have been mounted so far."""
    return sum(1 for node in app._registry if isinstance(node, OptionList)
               and isinstance(node.screen, kind))


@pilot_test
async def test_the_filter_list_is_built_once_and_shown_as_new_each_time(
    study: Project,
) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f")
        first = app.screen
        assert isinstance(first, FilterPicker)
        everything = first.options.option_count
        await press(pilot, *"qqqq", "enter")
        assert "No code or speaker 'qqqq'" in str(first.query_one("#picker-hint",
                                                                  Label).content)
        await press(pilot, "escape", "f")
        assert app.screen is first and mounts(app, FilterPicker) == 1
        assert first.query_one("#picker-input", Input).value == ""
        assert first.options.option_count == everything
        assert first.options.highlighted == 0
        assert str(first.query_one("#picker-hint", Label).content) == HINT
        # A code added meanwhile is offered.
        await press(pilot, "escape")
        study.add_code("a code added since", coder=CODER)
        app.check_for_changes(force=True)
        await press(pilot, "f")
        assert first.options.option_count == everything + 1


@pilot_test
async def test_the_search_is_built_once_and_opens_empty(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "slash")
        first = app.screen
        assert isinstance(first, SearchModal)
        first.run_search("police")
        await settle(pilot)
        assert first.hits
        await press(pilot, "tab")  # to the hit list
        assert not first.query_one("#search-input", Input).has_focus
        await press(pilot, "escape", "slash")
        assert app.screen is first and mounts(app, SearchModal) == 1
        assert first.query_one("#search-input", Input).value == ""
        assert first.hits == [] and first.query_one(OptionList).option_count == 0
        assert first.query_one("#search-input", Input).has_focus
        assert str(first.query_one("#search-summary", Label).content) == READY


@pilot_test
async def test_the_speakers_are_counted_once_per_document_shown(
    study: Project, monkeypatch: Any,
) -> None:
    counted: list[int] = []
    speakers = study.speakers

    def counting(document_id: int | None = None) -> list[tuple[str, int]]:
        counted.append(document_id or 0)
        return speakers(document_id)

    monkeypatch.setattr(study, "speakers", counting)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f", "escape", "f", "escape")
        assert len(counted) == 1
        app.check_for_changes(force=True)  # text corrected elsewhere: count again
        await press(pilot, "f", "escape")
        assert len(counted) == 2



@pilot_test
async def test_the_footer_is_not_rebuilt_when_a_dialog_opens_and_closes(
    study: Project,
) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        coding = app.screen
        keys = list(coding.query(FooterKey))
        shown = [key.description for key in keys]
        assert "Tag" in shown
        for key in ("f", "escape", "slash", "escape"):
            await press(pilot, key)
            assert list(coding.query(FooterKey)) == keys  # the very same widgets
        # Keys that do change are shown: the codebook pane has keys of its own.
        await press(pilot, "t")
        now = [key.description for key in coding.query(FooterKey)]
        assert "Add" in now and now != shown
        await press(pilot, "escape")
        assert [key.description for key in coding.query(FooterKey)] == shown


@pilot_test
async def test_the_filter_list_reopened_after_esc_keeps_its_options_and_lines_grow(
    study: Project,
) -> None:
    """Reopened unchanged, the list keeps its options (and what it has drawn of
    them); an error longer than its label's line gets the room it needs."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f")
        picker = app.screen
        assert isinstance(picker, FilterPicker)
        before = list(picker.options.options)
        await press(pilot, "down", "down", "escape", "f")
        assert list(picker.options.options) == before  # the very same Option objects
        assert picker.options.highlighted == 0
        error = picker.query_one("#picker-hint", Label)
        for typed in ("zz", "a name nobody gave to any code"):
            await press(pilot, *typed, "enter")
            await settle(pilot)
            said = str(error.content)
            assert f"No code or speaker {typed!r}" in said
            # Laid out again when it grew: every word of it on screen.
            lines = error.render_lines(Region(0, 0, *error.outer_size))
            shown = " ".join(strip.text.strip() for strip in lines)
            assert " ".join(said.split()) in " ".join(shown.split()), (shown, error.size)
            await press(pilot, "escape", "f")
            assert str(error.content) == HINT and not error.has_class("error")


def frames_while(app: QcodeApp) -> list[object]:
    """Every update the app puts on the terminal from now on (nothing-changed ones
    left out, as Textual writes nothing for them)."""
    drawn: list[object] = []
    display = app._display

    def counting(screen: Any, renderable: Any) -> None:
        if renderable is not None:
            drawn.append(renderable)
        display(screen, renderable)

    app._display = counting  # type: ignore[method-assign]
    return drawn


@pilot_test
async def test_a_kept_dialog_reopens_in_one_frame(study: Project) -> None:
    """Reopened, ``f`` and ``/`` are drawn whole in the first frame: their styles are
    not applied again node by node (which repainted the list's scrollbar a frame
    later, a third of the time they took to open)."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(160, 45)) as pilot:
        for key in ("f", "slash"):
            await press(pilot, key, "escape")
            await settle(pilot)
            drawn = frames_while(app)
            await press(pilot, key)
            await settle(pilot)
            assert len(drawn) == 1, key
            app._display = type(app)._display.__get__(app)  # type: ignore[method-assign]
            await press(pilot, "escape")


@pilot_test
async def test_a_kept_dialog_takes_a_new_theme_on_reopening(study: Project) -> None:
    """The styles are applied again when the app's styles changed while it was closed
    (a theme switched)."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f")
        picker = app.screen
        assert isinstance(picker, FilterPicker)
        before = picker.options.styles.background
        await press(pilot, "escape")
        app.theme = "textual-light" if app.current_theme.dark else "textual-dark"
        await settle(pilot)
        await press(pilot, "f")
        assert app.screen is picker
        assert picker.options.styles.background != before


@pilot_test
async def test_f_and_slash_are_ready_before_their_first_opening(study: Project) -> None:
    """Once the coding screen is drawn and idle, ``f`` and ``/`` are built, styled and
    laid out off screen (Dialog.prepare): their first opening too is one frame, and
    shows what an opening shows."""
    for key, kind in (("f", FilterPicker), ("slash", SearchModal)):
        app = QcodeApp(study, CODER)
        async with app.run_test(size=(160, 45)) as pilot:
            await settle(pilot)
            assert mounts(app, kind) == 1  # built ahead, not on the key
            drawn = frames_while(app)
            await press(pilot, key)
            await settle(pilot)
            assert isinstance(app.screen, kind)
            assert len(drawn) == 1, key
            box = app.screen.query_one(Input)
            assert box.has_focus and box.value == ""
            assert app.screen.query_one(OptionList).size.height > 10  # laid out at 45 lines


@pilot_test
async def test_a_filter_list_left_narrowed_is_whole_again_in_one_frame(
    study: Project,
) -> None:
    """After a theme is chosen from a list narrowed by typing, the list is shown whole
    and laid out again off screen (MainScreen._ready_again): the next ``f`` is one
    frame, and shows every entry."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await press(pilot, "f")
        picker = app.screen
        assert isinstance(picker, FilterPicker)
        everything = picker.options.option_count
        await press(pilot, *"state", "enter")
        assert app.screen is not picker
        await settle(pilot)
        drawn = frames_while(app)
        await press(pilot, "f")
        await settle(pilot)
        assert app.screen is picker and len(drawn) == 1
        assert picker.options.option_count == everything
        assert picker.query_one("#picker-input", Input).value == ""


@pilot_test
async def test_the_prepared_dialogs_are_frozen_out_of_the_collectors_walk(
    study: Project,
) -> None:
    """What the dialogs hold lives as long as the app: once they are ready it is
    frozen with the first screen (gc.freeze), so young collections do not walk it."""
    import gc

    app = QcodeApp(study, CODER)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        kept = [node for node in app._registry if isinstance(node, (FilterPicker,
                                                                     SearchModal))]
        assert len(kept) == 2
        walked = {id(obj) for obj in gc.get_objects()}  # the permanent generation aside
        assert not [dialog for dialog in kept if id(dialog) in walked]
    gc.unfreeze()


@pilot_test
async def test_the_filter_list_uses_every_row_down_to_the_hint(study: Project) -> None:
    """At 80×24 the list reaches the hint's line (no empty row kept for an error that
    is not there); an error takes the hint's place, and typing brings the hint back."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f")
        picker = app.screen
        assert isinstance(picker, FilterPicker)
        hint = picker.query_one("#picker-hint", Label)
        assert picker.options.region.bottom == hint.region.y
        said = str(hint.content)
        assert said.startswith("Enter: show only that") and not hint.has_class("error")
        await press(pilot, *"qqqq", "enter")
        await settle(pilot)
        assert str(hint.content).startswith("No code or speaker 'qqqq' here")
        assert hint.has_class("error")
        assert picker.options.region.bottom == hint.region.y
        await press(pilot, "backspace")
        assert str(hint.content) == said and not hint.has_class("error")
