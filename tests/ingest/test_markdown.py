"""Markdown read as CommonMark (markdown-it-py): both heading styles, nested lists,
block quotes, footnotes (even one nothing refers to), escapes, links and code — as the
paragraphs a researcher sees (issue 12)."""

from __future__ import annotations

from pathlib import Path

from qcode.ingest.markdown import read

SOURCE = """---
interviewee: Ortiz
---

Setext heading
==============

§1 A paragraph with *emphasis*, **strong**, a [link](https://example.org "t"), an
escaped \\*star\\* and `code`, and a note[^a].

- §1 is followed by a list
- whose second item has
  1. a nested item
  2. and another

> §2 would be a label, but this is a quote
>
> in two paragraphs

Second heading
--------------

    indented code stays as it is

[^a]: The note's text.
[^orphan]: A note nobody refers to is kept too.
"""


def parsed(tmp_path: Path) -> list[tuple[str | None, str | None, str]]:
    path = tmp_path / "ortiz.md"
    path.write_text(SOURCE, encoding="utf-8")
    document = read(path)
    assert document.attributes["interviewee"] == "Ortiz"
    return [(p.label, p.section, p.text) for p in document.paragraphs]


def test_markdown_becomes_the_paragraphs_a_reader_sees(tmp_path: Path) -> None:
    assert parsed(tmp_path) == [
        ("§1", "Setext heading",
         "A paragraph with emphasis, strong, a link, an escaped *star* and code, and a "
         "note[a]."),
        ("§1.1", "Setext heading", "§1 is followed by a list"),
        ("§1.2", "Setext heading", "whose second item has"),
        ("§1.2.1", "Setext heading", "a nested item"),
        ("§1.2.2", "Setext heading", "and another"),
        ("§1 quote", "Setext heading", "§2 would be a label, but this is a quote"),
        ("§1 quote 2", "Setext heading", "in two paragraphs"),
        (None, "Second heading", "indented code stays as it is"),
        ("note a", "Second heading", "The note's text."),
        ("note orphan", "Second heading", "A note nobody refers to is kept too."),
    ]
