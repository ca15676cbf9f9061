"""The reader: what it shows and how the keyboard (and mouse) move through it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from tui_helpers import CODER, SIZE, pilot_test, press, reader, reader_lines, status

from qcode import Project
from qcode.core.model import Block, compose
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.modals.prompt import Prompt
from qcode.tui.widgets import blocks

INTERVIEW = """# Background

Q: How did the cooperation with the police start?

Anna Petrova: It started with a seminar in Kazan. The officers came because their
superior told them to, and stayed because the discussion was useful to them.

# Later years

Q: And later?
"""


def paragraph_texts(project: Project) -> dict[str, str]:
    document = project.documents()[0].document
    return {p.ref: p.text for p in project.paragraphs(document.id)}


@pilot_test
async def test_opens_on_the_first_document_with_labels_text_and_status(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = reader_lines(app)
        first = paragraph_texts(study)["§1"]
        assert lines[0].lstrip().startswith("§1")
        assert first.split()[0] in lines[0]
        assert any("§2" in line for line in lines)
        line = status(app)
        for part in ("test", CODER, "sieca-kozlowski-2009", "§1 (1/56)"):
            assert part in line


@pilot_test
async def test_long_paragraphs_wrap_to_the_reader_width(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "g", *"12", "enter")
        widget = reader(app)
        lines = reader_lines(app)
        assert all(len(line) <= widget.size.width for line in lines)
        text = paragraph_texts(study)["§12"]
        start = next(i for i, line in enumerate(lines) if "§12" in line)
        body = []
        for line in lines[start:]:
            if not line.strip():
                break
            body.append(line.split("▌", 1)[-1].rstrip(" ▐").strip())
        assert len(body) > 3
        assert " ".join(body) == " ".join(text.split())


@pilot_test
async def test_section_headings_and_speakers(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "interview.txt"
    path.write_text(INTERVIEW, encoding="utf-8")
    project.add_document(read_document(path), coder=CODER)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = [line.strip() for line in reader_lines(app)]
        assert lines[0].endswith("Background")
        assert any("Q: How did the cooperation" in line for line in lines)
        assert any("Anna Petrova: It started" in line for line in lines)
        later = lines.index(next(line for line in lines if line.endswith("Later years")))
        assert "Q: And later?" in " ".join(lines[later:])


@pilot_test
async def test_j_k_and_arrows_move_between_paragraphs(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        seen = []
        for key in ("j", "down", "k", "up", "k"):
            await press(pilot, key)
            current = reader(app).current
            assert current is not None
            seen.append(current.ref)
        assert seen == ["§2", "§3", "§2", "§1", "§1"]
        assert "§1 (1/56)" in status(app)


@pilot_test
async def test_next_and_previous_uncoded(study: Project) -> None:
    document = study.documents()[0].document
    code = study.code("regional variation")
    coded = [study.paragraph(document, ref).id for ref in ("§2", "§3")]
    study.tag(coded, [code.id], coder=CODER)
    study.tag([study.paragraph(document, "§4").id], [code.id], coder="bob")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "n")
        # §4 carries only bob's code: uncoded as far as alice is concerned.
        assert reader(app).current.ref == "§4"  # type: ignore[union-attr]
        await press(pilot, "N")
        assert reader(app).current.ref == "§1"  # type: ignore[union-attr]
        await press(pilot, "N")
        assert reader(app).current.ref == "§1"  # type: ignore[union-attr]
        assert any("no uncoded paragraph before" in n.message for n in app._notifications)


@pilot_test
async def test_go_to_a_label(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "g")
        assert isinstance(app.screen, Prompt)
        await press(pilot, *"8.3", "enter")
        assert reader(app).current.ref == "§8.3"  # type: ignore[union-attr]
        assert any("§8.3" in line for line in reader_lines(app))
        await press(pilot, "section_sign")
        assert isinstance(app.screen, Prompt)
        await press(pilot, *"note 3", "enter")
        assert reader(app).current.ref == "note 3"  # type: ignore[union-attr]
        await press(pilot, "g", *"99", "enter")
        assert reader(app).current.ref == "note 3"  # type: ignore[union-attr]
        assert any("no paragraph '§99'" in n.message for n in app._notifications)
        assert "not done" in status(app)


@pilot_test
async def test_home_end_and_paging(study: Project) -> None:
    app = QcodeApp(study, CODER)
    refs = [p.ref for p in study.paragraphs(study.documents()[0].document.id)]
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "end")
        assert reader(app).current.ref == refs[-1]  # type: ignore[union-attr]
        assert f"({len(refs)}/{len(refs)})" in status(app)
        await press(pilot, "home")
        assert reader(app).current.ref == refs[0]  # type: ignore[union-attr]
        shown = {ref for ref in refs if any(f" {ref} " in f" {line} " for line in
                                            reader_lines(app))}
        await press(pilot, "pagedown")
        after = reader(app).current.ref  # type: ignore[union-attr]
        assert refs.index(after) >= max(refs.index(r) for r in shown)
        await press(pilot, "pageup")
        assert refs.index(reader(app).current.ref) < refs.index(after)  # type: ignore[union-attr]


@pilot_test
async def test_click_and_wheel(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = reader(app)
        row = next(i for i, line in enumerate(reader_lines(app)) if "§2" in line)
        await pilot.click("#reader", offset=(30, row))
        await pilot.pause()
        assert widget.current.ref == "§2"  # type: ignore[union-attr]
        top = reader_lines(app)[0]
        for _ in range(10):
            widget.post_message(events.MouseScrollDown(widget, 5, 5, 0, 1, 0, False, False,
                                                       False))
        await pilot.pause()
        assert reader_lines(app)[0] != top
        assert widget.current.ref == "§2"  # type: ignore[union-attr]


def big_project(path: Path, paragraphs: int) -> Project:
    project = Project.create(path)
    blocks_ = [Block("paragraph", f"Paragraph {n}: " + "words that wrap " * 12, label=f"§{n}")
               for n in range(1, paragraphs + 1)]
    project.add_document(compose("big", blocks_), coder=CODER)
    return project


@pilot_test
async def test_a_big_document_wraps_only_what_is_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = big_project(tmp_path / "big.db", 10_000)
    wrapped: list[int] = []
    original = blocks.body_lines

    def counting(paragraph, *args, **kwargs):  # type: ignore[no-untyped-def]
        wrapped.append(paragraph.ordinal)
        return original(paragraph, *args, **kwargs)

    monkeypatch.setattr(blocks, "body_lines", counting)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert len(set(wrapped)) < 20
        await press(pilot, "end", "pageup", "pageup", "g", *"5000", "enter")
        assert reader(app).current.ref == "§5000"  # type: ignore[union-attr]
        assert "(5000/10000)" in status(app)
        assert len(set(wrapped)) < 100
    project.close()
