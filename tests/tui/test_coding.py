"""Coding by keyboard: keys 1–9, the picker, new codes, ranges, pins, undo and redo,
and refusals that become notifications instead of tracebacks."""

from __future__ import annotations

import sqlite3

from tui_helpers import (
    CODER,
    SIZE,
    code_labels,
    codings,
    main_screen,
    notifications,
    options,
    pilot_test,
    press,
    reader,
    reader_lines,
    status,
)

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.modals.code_editor import CodeEditor
from qcode.tui.modals.key_prompt import KeyPrompt
from qcode.tui.modals.picker import CodePicker
from qcode.tui.widgets.codebook import CodebookPane


def first_codable(project: Project) -> list[str]:
    return [code.name for code in project.codes() if code.codable][:9]


def chip_lines(app: QcodeApp, ref: str) -> str:
    """The reader lines of one paragraph (its text and chip lines)."""
    lines = reader_lines(app)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(ref + " "))
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return "\n".join(block)


@pilot_test
async def test_keys_1_to_9_toggle_the_first_codable_codes(study: Project) -> None:
    names = first_codable(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "5")
        assert codings(study) == {("§1", names[4])}
        assert names[4] in chip_lines(app, "§1")
        assert f"tagged §1 with {names[4]!r}" in status(app)
        await press(pilot, "j", "1", "9")
        assert codings(study) == {("§1", names[4]), ("§2", names[0]), ("§2", names[8])}
        await press(pilot, "k", "5")
        assert codings(study) == {("§2", names[0]), ("§2", names[8])}
        assert names[4] not in chip_lines(app, "§1")
        assert f"removed {names[4]!r} from §1" in status(app)


@pilot_test
async def test_the_codebook_shows_keys_and_live_counts(study: Project) -> None:
    app = QcodeApp(study, CODER)
    names = first_codable(study)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "5", "j", "5")
        pane = main_screen(app).query_one(CodebookPane)
        label = next(str(node.label) for node in pane._code_nodes.values()
                     if names[4] in str(node.label))
        # Key 5, a ✓ (the current paragraph, §2, carries it), its count: 2 paragraphs.
        assert label.startswith("5✓") and label.split()[-1] == "2"
        assert "1/56" not in " ".join(options(app, "#document-list"))
        assert "2/56" in " ".join(options(app, "#document-list"))


@pilot_test
async def test_a_key_without_a_code_says_so(project: Project) -> None:
    from qcode.core.codebook.model import Codebook, CodeSpec
    from qcode.core.model import Block, compose

    project.add_document(compose("d", [Block("paragraph", "Some text.")]), coder=CODER)
    project.load_codebook(Codebook(codes=[CodeSpec("only one")]), coder=CODER)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        assert codings(project) == set()
        assert any("no code on key 2" in n.message for n in app._notifications)
        await press(pilot, "1")
        assert codings(project) == {("¶1", "only one")}


@pilot_test
async def test_the_picker_finds_a_code_from_a_typo_and_toggles_it(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c")
        assert isinstance(app.screen, CodePicker)
        await press(pilot, *"regnal")
        assert "regional variation" in options(app, "#picker-list")[0]
        await press(pilot, "enter")
        assert codings(study) == {("§1", "regional variation")}
        await press(pilot, "enter")
        assert isinstance(app.screen, CodePicker)
        await press(pilot, *"regional")
        assert options(app, "#picker-list")[0].startswith("✓")
        await press(pilot, "enter")
        assert codings(study) == set()


@pilot_test
async def test_the_picker_moves_with_arrows_and_escape_cancels(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c", *"fund", "down", "enter")
        assert codings(study) == {("§1", "Public Chamber funding and tenders")}
        await press(pilot, "c", *"law", "escape")
        assert not isinstance(app.screen, CodePicker)
        assert codings(study) == {("§1", "Public Chamber funding and tenders")}


@pilot_test
async def test_a_new_code_from_the_picker_with_its_definition(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "c", *"prison reform")
        # Nothing is close to what was typed, so creating it comes first.
        assert options(app, "#picker-list")[0] == "+ New code “prison reform”…"
        await press(pilot, "enter")
        assert isinstance(app.screen, CodeEditor)
        await press(pilot, "tab", "tab", "tab")  # name -> parent -> colour -> short
        await press(pilot, *"Reforms of the penal system.", "ctrl+s")
        code = study.code("prison reform")
        assert code.short == "Reforms of the penal system."
        assert code.parent_id is None
        assert codings(study) == {("§1", "prison reform")}
        assert "added code 'prison reform'; tagged §1 with 'prison reform'" in status(app)
        assert "prison reform" in chip_lines(app, "§1")
        # A close match comes first; Ctrl+N still makes the new code.
        await press(pilot, "j", "c", *"regional")
        listed = options(app, "#picker-list")
        assert "regional variation" in listed[0]
        assert listed[-1] == "+ New code “regional”…"
        await press(pilot, "ctrl+n")
        assert isinstance(app.screen, CodeEditor)
        await press(pilot, "ctrl+s")
        assert ("§2", "regional") in codings(study)


@pilot_test
async def test_a_range_is_tagged_at_once(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "v", "j", "j")
        assert "3 selected" in status(app)
        assert reader(app).selected_ids() == [
            p.id for p in study.paragraphs(study.documents()[0].document.id)[1:4]]
        await press(pilot, "7")
        assert codings(study) == {(ref, "generational shift") for ref in ("§2", "§3", "§4")}
        assert "tagged 3 paragraphs (§2–§4)" in status(app)
        assert not reader(app).selecting
        await press(pilot, "J", "shift+down", "c", *"2006", "enter")
        assert {r for r, c in codings(study) if c == "2006 NGO law"} == {"§4", "§5", "§6"}
        await press(pilot, "K", "escape", "7")
        assert ("§5", "generational shift") in codings(study)
        assert ("§6", "generational shift") not in codings(study)


def keys(app: QcodeApp) -> dict[int, str]:
    """Number key -> the name of the code it toggles."""
    return {n: code.name for n in range(1, 10) if (code := app.session.on_key(n))}


@pilot_test
async def test_enter_in_the_codebook_toggles_and_p_puts_a_code_on_a_chosen_key(
    study: Project,
) -> None:
    first = first_codable(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert keys(app) == dict(enumerate(first, start=1))
        pane = main_screen(app).query_one(CodebookPane)
        await press(pilot, "t")
        pane.select(study.code("foreign funding").id)
        await press(pilot, "enter")
        assert codings(study) == {("§1", "foreign funding")}
        # P asks for the key; 3 puts it there. Only key 3 changes.
        await press(pilot, "P")
        assert isinstance(app.screen, KeyPrompt)
        await press(pilot, "3")
        assert keys(app) == {**dict(enumerate(first, start=1)), 3: "foreign funding"}
        assert f"key 3: 'foreign funding' (was {first[2]!r})" in status(app)
        assert any(label.startswith("3✓■ foreign funding") for label in code_labels(app))
        await press(pilot, "escape", "j", "3")
        assert ("§2", "foreign funding") in codings(study)
        # 0 takes it off its key, which stays free: nothing else moves up.
        await press(pilot, "t", "P", "0")
        assert keys(app) == {n: name for n, name in enumerate(first, start=1) if n != 3}
        assert "key 3 is free" in status(app)
        await press(pilot, "escape", "3")
        assert "no code on key 3" in notifications(app)[-1]
        # Enter takes the lowest free key; Escape changes nothing and says so.
        await press(pilot, "t")
        pane.select(study.code("loyalty to power").id)
        await press(pilot, "P", "enter")
        assert keys(app) == {**dict(enumerate(first, start=1)), 3: "loyalty to power"}
        # On a code that has a key, Enter offers that key: nothing changes.
        pane.select(study.code("denunciation").id)
        await press(pilot, "P", "enter")
        assert "'denunciation' is already on key 8" in status(app)
        assert first[7] == "denunciation"
        await press(pilot, "P", "escape")
        assert "keys unchanged" in status(app)


@pilot_test
async def test_undo_and_redo_are_the_project_events(study: Project) -> None:
    app = QcodeApp(study, "carol")  # a coder with nothing of their own to undo yet
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "5", "j", "7")
        await press(pilot, "u")
        assert codings(study, "carol") == {("§1", "regional variation")}
        assert "undone: tag sieca-kozlowski-2009 §2 with 'generational shift'" in status(app)
        await press(pilot, "U")
        assert codings(study, "carol") == {("§1", "regional variation"),
                                           ("§2", "generational shift")}
        assert "generational shift" in chip_lines(app, "§2")
        await press(pilot, "u", "u", "u")
        assert codings(study, "carol") == set()
        assert any("nothing to undo" in n.message for n in app._notifications)
        kinds = [r[0] for r in study.conn.execute("SELECT kind FROM events ORDER BY id")]
        assert kinds[-4:] == ["undo", "redo", "undo", "undo"]
        assert study.code("regional variation")  # alice's codebook load is not carol's


@pilot_test
async def test_a_locked_project_is_a_notification_not_a_crash(study: Project) -> None:
    blocker = sqlite3.connect(study.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    # As QCODE_BUSY_TIMEOUT_MS=300 would: wait a moment, not the usual 10 s.
    study.conn.execute("PRAGMA busy_timeout = 300")
    app = QcodeApp(study, CODER)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "5")
            assert any("locked" in n.message for n in app._notifications)
            assert "not done" in status(app)
            assert "regional variation" not in "\n".join(reader_lines(app))
            blocker.execute("ROLLBACK")
            await press(pilot, "5")
            assert codings(study) == {("§1", "regional variation")}
    finally:
        blocker.close()


@pilot_test
async def test_a_read_only_project_refuses_politely(study: Project) -> None:
    study.close()
    with Project.open(study.path, readonly=True) as readonly:
        app = QcodeApp(readonly, CODER)
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "5")
            assert "read-only" in status(app)
            assert any("read-only" in n.message for n in app._notifications)
    with Project.open(study.path) as reopened:
        assert codings(reopened) == set()


@pilot_test
async def test_the_other_keys_for_the_same_things(study: Project) -> None:
    """Enter opens the picker, Ctrl+D/Ctrl+U page, G goes to the end, Ctrl+R redoes,
    Space folds a parent code in the codebook."""
    app = QcodeApp(study, "carol")
    refs = [p.ref for p in study.paragraphs(study.documents()[0].document.id)]
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "enter")
        assert isinstance(app.screen, CodePicker)
        await press(pilot, *"denunc", "enter")
        assert codings(study, "carol") == {("§1", "denunciation")}
        await press(pilot, "u", "ctrl+r")
        assert codings(study, "carol") == {("§1", "denunciation")}
        await press(pilot, "ctrl+d")
        after = refs.index(reader(app).current.ref)  # type: ignore[union-attr]
        assert after > 1
        await press(pilot, "ctrl+u")
        assert refs.index(reader(app).current.ref) < after  # type: ignore[union-attr]
        await press(pilot, "G")
        assert reader(app).current.ref == refs[-1]  # type: ignore[union-attr]
        pane = main_screen(app).query_one(CodebookPane)
        await press(pilot, "t")
        parent = pane.code_tree.cursor_node
        assert parent is not None and parent.is_expanded and parent.children
        await press(pilot, "space")
        assert not parent.is_expanded
