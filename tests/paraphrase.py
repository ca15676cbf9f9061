"""A fictional interview, written for the tests, whose answer says what §17 of the
bundled article says (foreign funding keeps the NGOs going and turns against them) in
other words, sharing only a few content words with it: foreign, abroad, presidential,
and "funded" for the article's "funding"."""

from __future__ import annotations

from pathlib import Path

# The document's name after import (the file's stem); sorts after the article's.
NAME = "volunteer-fictional"
SOURCE = "§17"
# The answer is the second paragraph (the question is the first).
ANSWER = "¶2"
TEXT = """# A fictional interview written for qcode's tests (no real person or group)

Q: Where does the money for your work come from?

A: Every group we spoke to lives on money from foreign donors. For a few of them the \
grants shrink year after year; others keep theirs. Yet being funded from abroad can \
backfire: when the presidential campaign painted Britain and America as enemies, \
organisations that had long been funded by them lost the sympathy of ordinary people.
"""


def write(folder: Path) -> Path:
    """The interview as a file ready for ``qcode import``."""
    path = folder / f"{NAME}.md"
    path.write_text(TEXT, encoding="utf-8")
    return path
