"""Text under a REFI-QDA project: positions in each writer's unit, and paragraphs found
in place so those positions stay valid."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from qcode.exchange.refi_offsets import (
    CODE_POINTS,
    CODE_POINTS_LF,
    UNITS,
    UTF16,
    SourceText,
    choose_unit,
    unit_for_origin,
)
from qcode.ingest.spans import paragraph_mode, split_spans

RAW = "Hi 🙂 there.\r\nLine two 🙂🙂 ends.\r\n\r\nLast words."


def positions(raw: str, index: int) -> dict[str, int]:
    """Where code point ``index`` of ``raw`` is, counted by each writer's habit."""
    lf = raw[:index].replace("\r\n", "\n")
    return {
        CODE_POINTS.name: index,
        UTF16.name: len(raw[:index].encode("utf-16-le")) // 2,
        CODE_POINTS_LF.name: len(lf),
    }


def test_each_unit_converts_to_the_same_character() -> None:
    source = SourceText(RAW)
    for word in ("there", "two", "ends", "Last", "words"):
        index = RAW.index(word)
        expected = source.text.index(word)
        for unit_name, position in positions(RAW, index).items():
            unit = next(u for u in UNITS if u.name == unit_name)
            assert source.to_text(position, unit) == expected, (word, unit_name)


def test_positions_past_the_end_are_outside_the_text() -> None:
    source = SourceText(RAW)
    end16 = len(RAW.encode("utf-16-le")) // 2
    assert source.to_text(end16, UTF16) == len(source.text)
    assert source.to_text(end16 + 1, UTF16) is None
    assert source.to_text(-1, CODE_POINTS) is None


def test_word_boundaries_pick_the_unit_the_positions_were_written_in() -> None:
    source = SourceText(RAW)
    words = ["there", "two", "ends", "Last", "words"]
    for unit in (CODE_POINTS, UTF16, CODE_POINTS_LF):
        selections = []
        for word in words:
            start = positions(RAW, RAW.index(word))[unit.name]
            end = positions(RAW, RAW.index(word) + len(word))[unit.name]
            selections.append((start, end))
        # whatever the tool claims, the positions themselves decide
        choice = choose_unit(source, selections, prior=CODE_POINTS if unit is UTF16 else UTF16)
        assert choice.unit is unit, (unit.name, choice.reason)


def test_the_writers_unit_wins_a_tie() -> None:
    plain = SourceText("No line breaks and no emoji at all.")
    assert choose_unit(plain, [(0, 2)], UTF16).unit is UTF16
    assert unit_for_origin("NVivo for Windows 12.6") is UTF16
    assert unit_for_origin("ATLAS.ti 8.4.0 573") is CODE_POINTS_LF
    assert unit_for_origin("MAXQDA 24") is CODE_POINTS
    assert unit_for_origin(None) is CODE_POINTS


def test_spans_keep_labels_speakers_and_sections_in_place() -> None:
    text = ("INTRODUCTION\n\n§1 First paragraph\nwrapped.\n\n  Q: How did it go?\n\n"
            "A: Slowly.\n\nIt took years.\n\n# Results\n\n[2] Second.\n")
    paragraphs = split_spans(text)
    assert [(p.label, p.speaker, p.section, p.text) for p in paragraphs] == [
        ("§1", None, "INTRODUCTION", "First paragraph\nwrapped."),
        (None, "Q", "INTRODUCTION", "How did it go?"),
        (None, "A", "INTRODUCTION", "Slowly."),
        (None, "A", "INTRODUCTION", "It took years."),
        ("§2", None, "Results", "Second."),
    ]
    assert all(text[p.start:p.end] == p.text for p in paragraphs)


def test_a_text_without_blank_lines_is_divided_by_line() -> None:
    rows = "\n".join(f"comment {n}: some words" for n in range(30))
    assert paragraph_mode(rows) == "lines"
    paragraphs = split_spans(rows)
    assert len(paragraphs) == 30
    assert paragraphs[7].text == "comment 7: some words"
    prose = "\n\n".join(f"Paragraph {n}\nwrapped here." for n in range(30))
    assert paragraph_mode(prose) == "blank-lines"
    assert len(split_spans(prose)) == 30


@given(st.text(alphabet=st.sampled_from(list("ab §1:Q\n\t #🙂")), max_size=200))
def test_every_paragraph_is_its_own_slice_of_the_text(text: str) -> None:
    paragraphs = split_spans(text)
    end = 0
    for ordinal, paragraph in enumerate(paragraphs, start=1):
        assert paragraph.ordinal == ordinal
        assert end <= paragraph.start < paragraph.end <= len(text)
        assert text[paragraph.start:paragraph.end] == paragraph.text
        assert paragraph.text == paragraph.text.strip()
        end = paragraph.end
