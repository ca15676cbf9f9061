"""Reading answers taller than the terminal: space, PgDn and Ctrl+D read on within the
current paragraph, a screen at a time, and reach the next paragraph only once the last
word and the code chips have been on screen; j/k move by paragraph; the status line
says which screenful of the paragraph is shown."""

from __future__ import annotations

import re
from pathlib import Path

from tui_helpers import CODER, pilot_test, press, reader, reader_lines, status

from qcode import Project
from qcode.core.model import Block, compose
from qcode.tui import QcodeApp

SMALL = (80, 24)
WORDS = 900
WORD = re.compile(r"\bw(\d{4})\b")
CODE = "long answers"


def interview(path: Path) -> Project:
    """A short question, a 900-word answer (every word different, so each can be
    checked), and a short next question; the answer carries a code."""
    project = Project.create(path)
    answer = " ".join(f"w{n:04d}" for n in range(1, WORDS + 1))
    project.add_document(compose("interview", [
        Block("paragraph", "How did it start?", label="§1", speaker="Q"),
        Block("paragraph", answer, label="§2", speaker="A"),
        Block("paragraph", "And then?", label="§3", speaker="Q"),
    ]), coder=CODER)
    code = project.add_code(CODE, coder=CODER, colour="#4E9FE6")  # a fixed colour: snapshots
    document = project.documents()[0].document
    project.tag([project.paragraph(document, "§2").id], [code.id], coder=CODER)
    return project


def words_on_screen(app: QcodeApp) -> set[int]:
    return {int(m) for line in reader_lines(app) for m in WORD.findall(line)}


def chip_on_screen(app: QcodeApp) -> bool:
    return any(line.strip().endswith(CODE) for line in reader_lines(app))


async def read_through(pilot, key: str) -> tuple[set[int], bool, list[str]]:  # type: ignore[no-untyped-def]
    """Press ``key`` until §2 is no longer current: the words and chip seen on the way
    (while §2 was current), and the status lines."""
    app = pilot.app
    seen, chip, said = words_on_screen(app), chip_on_screen(app), [status(app)]
    for _ in range(40):
        await press(pilot, key)
        if reader(app).current.ref != "§2":  # type: ignore[union-attr]
            return seen, chip, said
        seen |= words_on_screen(app)
        chip = chip or chip_on_screen(app)
        said.append(status(app))
    raise AssertionError(f"{key} never left §2")


@pilot_test
async def test_space_shows_every_word_and_the_chips_before_the_next_paragraph(
    tmp_path: Path,
) -> None:
    project = interview(tmp_path / "long.db")
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "j")
        assert reader(app).current.ref == "§2"  # type: ignore[union-attr]
        # The answer is several screens tall: its start is shown, not its end.
        assert 1 in words_on_screen(app) and WORDS not in words_on_screen(app)
        assert not chip_on_screen(app)
        seen, chip, said = await read_through(pilot, "space")
        assert seen == set(range(1, WORDS + 1))
        assert chip
        assert reader(app).current.ref == "§3"  # type: ignore[union-attr]
        # The status counted the screens: 1/N, 2/N … N/N, one per press.
        parts = [re.search(r"§2 · (\d+)/(\d+)", line) for line in said]
        assert all(parts)
        screens = int(parts[0].group(2))  # type: ignore[union-attr]
        assert screens >= 4
        assert [int(p.group(1)) for p in parts] == list(range(1, screens + 1))  # type: ignore[union-attr]
    project.close()


@pilot_test
async def test_pagedown_and_ctrl_d_read_on_the_same_way(tmp_path: Path) -> None:
    project = interview(tmp_path / "long.db")
    for key in ("pagedown", "ctrl+d"):
        app = QcodeApp(project, CODER, remember=False)
        async with app.run_test(size=SMALL) as pilot:
            await press(pilot, "j")
            seen, chip, _said = await read_through(pilot, key)
            assert seen == set(range(1, WORDS + 1)) and chip, key
    project.close()


@pilot_test
async def test_pageup_reads_back_and_j_k_move_by_paragraph(tmp_path: Path) -> None:
    project = interview(tmp_path / "long.db")
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "j", "space", "space")
        assert "§2 · 3/" in status(app)
        await press(pilot, "pageup")
        assert "§2 · 2/" in status(app)
        assert reader(app).current.ref == "§2"  # type: ignore[union-attr]
        # j leaves the long answer at once; k comes back to its start.
        await press(pilot, "j")
        assert reader(app).current.ref == "§3"  # type: ignore[union-attr]
        await press(pilot, "k")
        assert reader(app).current.ref == "§2"  # type: ignore[union-attr]
        assert "§2 · 1/" in status(app) and 1 in words_on_screen(app)
        # Back past its start, page up moves to the paragraph before.
        await press(pilot, "pageup")
        assert reader(app).current.ref == "§1"  # type: ignore[union-attr]
        # A short paragraph has no screen count.
        assert "§1 (1/3)" in status(app)
    project.close()


@pilot_test
async def test_a_tag_while_reading_a_long_answer_keeps_the_place(tmp_path: Path) -> None:
    project = interview(tmp_path / "long.db")
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SMALL) as pilot:
        await press(pilot, "j", "space", "space")
        before = words_on_screen(app)
        await press(pilot, "1")  # takes the code off §2 (it was on it)
        assert words_on_screen(app) == before
        assert "§2 · 3/" in status(app) and f"removed {CODE!r} from §2" in status(app)
    project.close()
