"""Rich Text Format (.rtf), via striprtf: the text, one paragraph per RTF paragraph.

A word processor ends every paragraph with ``\\par``, so each non-empty line of the
text is a paragraph (a one-line ALL-CAPS paragraph is a heading). ``\\'hh`` escapes are
read in the code page the file declares (``\\ansicpg1251``…), or ``--encoding``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from pathlib import Path
from typing import cast

from qcode.core.errors import ImportFailed
from qcode.core.model import Block, ParsedDocument, compose
from qcode.core.textfile import read_bytes, text_codec
from qcode.ingest.labels import annotate
from qcode.ingest.plaintext import _is_caps_heading

_CODE_PAGE = re.compile(rb"\\ansicpg(\d{3,5})")


def read(path: Path, *, encoding: str | None = None) -> ParsedDocument:
    """Import a .rtf file."""
    data = read_bytes(path, what="an RTF file")
    if not data.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{\\rtf"):
        raise ImportFailed(f"{path}: not an RTF file (it does not start with {{\\rtf)")
    codec = text_codec(encoding, path) if encoding else _declared(data)
    from striprtf.striprtf import rtf_to_text

    convert = cast(Callable[..., str], rtf_to_text)  # striprtf is not annotated
    try:
        text = convert(data.decode("latin-1"), encoding=codec, errors="replace")
    except Exception as exc:  # striprtf raises what the parsing meets
        raise ImportFailed(f"{path}: not an RTF file qcode can read "
                           f"({type(exc).__name__})") from exc
    blocks = []
    for line in text.replace("\r\n", "\n").split("\n"):
        line = line.strip()
        if line:
            heading = _is_caps_heading(line)
            blocks.append(Block("heading" if heading else "paragraph", line))
    if not any(b.kind == "paragraph" for b in blocks):
        raise ImportFailed(f"{path}: the document has no text")
    return compose(path.stem, annotate(blocks))


def _declared(data: bytes) -> str:
    """The code page the RTF header declares (Windows-1252 when it declares none)."""
    found = _CODE_PAGE.search(data[:4096])
    if found is not None:
        candidate = f"cp{int(found.group(1))}"
        try:
            codecs.lookup(candidate)
            return candidate
        except LookupError:
            pass
    return "cp1252"


__all__ = ["read"]
