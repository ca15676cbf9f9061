"""Shared by the exchange tests: where the copied samples and schemas are, and
hypothesis strategies for codebooks full of awkward text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.ids import fold

HERE = Path(__file__).resolve().parent
SAMPLES = HERE / "samples"
SCHEMAS = HERE / "schemas"


def shape(codebook: Codebook) -> list[tuple[int, str, str]]:
    """(depth, guid, name) of every code in order: the tree, compared in one go."""
    return [(depth, spec.guid, spec.name) for spec, _parent, depth in codebook.walk()]


# XML 1.0 carries tab and newline but no other control characters, no surrogates and no
# U+FFFE/U+FFFF (category Cn). The round-trip strategies stay inside XML's alphabet;
# what happens to characters outside it is tested separately (they are dropped).
XML_CHARACTERS = st.characters(exclude_categories=("Cc", "Cs", "Cn")) | st.sampled_from("\t\n")
AWKWARD = [
    "&", "<", ">", '"', "'", "&amp;", "]]>", "--", "Жёлтый", "ПРАВОЗАЩИТНИКИ", "é", "Ü",
    "ñ", "😀", "👩‍🔬", "\n", "\n\n", "  ", "\t", "[qcode fields]", "\n[qcode fields]\n",
    "Short: x", "\n  When to use: y", "=1+1", "@sum", "-", "+", "'", "/", "::", "a/b",
]
_chunk = st.one_of(st.text(XML_CHARACTERS, max_size=10), st.sampled_from(AWKWARD))
texts = st.lists(_chunk, max_size=6).map("".join).map(str.strip)
optional_texts = texts.map(lambda text: text or None)
# A name holds no control character, tab and newline included (qcode refuses them).
names = texts.map(lambda text: text.replace("\n", " ").replace("\t", " ").strip()).filter(bool)
colours = st.none() | st.from_regex(r"#[0-9A-F]{6}", fullmatch=True)


@st.composite
def _codes(draw: st.DrawFn, depth: int, max_depth: int, name_strategy: Any) -> list[CodeSpec]:
    wanted = draw(st.lists(name_strategy, min_size=1 if depth == 0 else 0,
                           max_size=4 if depth < 2 else 2, unique_by=fold))
    codes = []
    for name in wanted:
        deeper = depth < max_depth and draw(st.booleans())
        codes.append(CodeSpec(
            name=name, colour=draw(colours), short=draw(optional_texts),
            definition=draw(optional_texts), when_to_use=draw(optional_texts),
            when_not_to_use=draw(optional_texts), example=draw(optional_texts),
            example_ref=draw(optional_texts), codable=draw(st.booleans()),
            children=draw(_codes(depth + 1, max_depth, name_strategy)) if deeper else [],
        ))
    return codes


@st.composite
def codebooks(draw: st.DrawFn, max_depth: int = 4, name_strategy: Any = names) -> Codebook:
    """Random codebooks: nested codes with every field, awkward text, unique GUIDs."""
    codebook = Codebook(name=draw(names), version=draw(optional_texts),
                        description=draw(optional_texts), source=draw(optional_texts),
                        codes=draw(_codes(0, max_depth, name_strategy)))
    specs = [spec for spec, _parent, _depth in codebook.walk()]
    guids = draw(st.lists(st.uuids(), min_size=len(specs), max_size=len(specs), unique=True))
    for spec, guid in zip(specs, guids, strict=True):
        spec.guid = str(guid).upper()
    return codebook


def chain(depth: int) -> Codebook:
    """A codebook that is one line of codes ``depth`` levels deep."""
    root = CodeSpec(name="level 1", definition="top")
    node = root
    for level in range(2, depth + 1):
        child = CodeSpec(name=f"level {level}", definition=f"at depth {level}",
                         colour=f"#{level:06X}")
        node.children.append(child)
        node = child
    return Codebook(name="deep", codes=[root])
