"""Codebooks as CSV: the columns Taguette reads and writes, plus ours beside them.

Taguette's codebook CSV has a ``tag`` column (``parent/child`` is a hierarchy) and a
``description``; its importer also takes ``name`` or ``path`` for the tag, and an
optional ``parent``. We write those two first, then ``guid``, ``colour``, ``codable``,
``short``, ``when_to_use``, ``when_not_to_use``, ``example`` and ``example_ref``, which
Taguette ignores. Export is UTF-8 with a BOM and CRLF line ends, so Excel opens
Cyrillic correctly; import takes a BOM (UTF-8 or UTF-16) or plain UTF-8, with comma,
semicolon or tab separators, and otherwise says which encoding it needs.

A cell that starts with ``= + - @`` (or a tab, CR or apostrophe) is written with a
leading apostrophe so a spreadsheet shows it as text rather than running it as a
formula; reading removes that one apostrophe again.

Hierarchy on import: a tag's parent is the longest ``/``-prefix of its path that is
itself a tag in the file (so ``and/or`` with no ``and`` tag stays one name), or the
``parent`` column when there is one. Rows without a ``guid`` get one derived from the
tag path, so importing the same file twice matches the same codes.
"""

from __future__ import annotations

import codecs
import csv
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

from qcode.core.codebook.model import Codebook, CodeSpec, check_codebook
from qcode.core.csvsafe import unprotect, write_rows
from qcode.core.errors import ImportFailed
from qcode.core.ids import fold, normalize_guid
from qcode.exchange.limits import MAX_DEPTH, check_code_count, read_capped
from qcode.exchange.refi_qdc import disambiguate_names

TEXT_COLUMNS = ("short", "when_to_use", "when_not_to_use", "example", "example_ref")
COLUMNS = ("tag", "description", "guid", "colour", "codable", *TEXT_COLUMNS)
_TAG_COLUMNS = ("tag", "name", "path")
_ALIASES = {"color": "colour", "definition": "description"}
_TRUE = {"", "true", "yes", "1"}
_FALSE = {"false", "no", "0"}
_GUID_NAMESPACE = uuid.UUID("0C7E3C52-1F77-4E52-A1B6-5D8C2B61A9F4")


# -- writing -------------------------------------------------------------------------


def write_csv(codebook: Codebook) -> bytes:
    """The codebook as a spreadsheet-friendly, Taguette-compatible CSV (UTF-8 with BOM)."""
    rows = []
    paths: dict[str, str] = {}
    for spec, parent, _depth in codebook.walk():
        path = f"{paths[parent.guid]}/{spec.name}" if parent else spec.name
        paths[spec.guid] = path
        rows.append([path, spec.definition or "", spec.guid, spec.colour or "",
                     "true" if spec.codable else "false",
                     *(getattr(spec, key) or "" for key in TEXT_COLUMNS)])
    text = write_rows(COLUMNS, rows, lineterminator="\r\n")
    return codecs.BOM_UTF8 + text.encode("utf-8")


# -- reading -------------------------------------------------------------------------


@dataclass
class _Row:
    line: int
    parts: list[str]
    parent: str | None
    spec: CodeSpec


def read_csv(path: Path) -> Codebook:
    """A codebook from a Taguette (or qcode) codebook CSV."""
    text = _decode(read_capped(path), path)
    lines = text.split("\n", 1)
    delimiter = max((",", ";", "\t"), key=lines[0].count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFailed(f"{path}: the file is empty")
        columns = _columns(header, path)
        rows = [_row(cells, columns, reader.line_num, path) for cells in reader if any(
            cell.strip() for cell in cells)]
    except csv.Error as exc:
        raise ImportFailed(f"{path}: line {reader.line_num}: not valid CSV ({exc})") from exc
    check_code_count(len(rows), str(path))
    codebook = Codebook(name=path.stem, codes=_tree(rows, path))
    disambiguate_names(codebook.codes)
    check_codebook(codebook, path)
    return codebook


def _decode(data: bytes, path: Path) -> str:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return _newlines(data[len(bom):].decode(codec))
            except UnicodeDecodeError as exc:
                raise ImportFailed(f"{path}: starts like {codec.upper()} but is not valid "
                                   f"{codec.upper()} ({_where(data, exc)})") from exc
    try:
        return _newlines(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ImportFailed(
            f"{path}: not UTF-8 ({_where(data, exc)}); qcode reads CSV as UTF-8: in Excel "
            "save as 'CSV UTF-8 (Comma delimited)', in LibreOffice choose 'Unicode (UTF-8)'"
        ) from exc


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _where(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data[:exc.start].count(b"\n") + 1
    return f"byte 0x{data[exc.start]:02x} at line {line}"


def _columns(header: list[str], path: Path) -> dict[str, int]:
    names = [_ALIASES.get(h.strip().lower(), h.strip().lower()) for h in header]
    columns: dict[str, int] = {}
    for index, name in enumerate(names):
        columns.setdefault(name, index)
    tags = [name for name in _TAG_COLUMNS if name in columns]
    if len(tags) != 1:
        found = ", ".join(repr(h) for h in header) or "none"
        problem = "more than one of" if tags else "no"
        raise ImportFailed(f"{path}: line 1: {problem} 'tag', 'name' or 'path' column "
                           f"(columns: {found})")
    columns["tag"] = columns[tags[0]]
    return columns


def _row(cells: list[str], columns: dict[str, int], line: int, path: Path) -> _Row:
    def cell(name: str) -> str:
        index = columns.get(name)
        return unprotect(cells[index].strip()) if index is not None and index < len(
            cells) else ""

    tag = cell("tag")
    if not tag:
        raise ImportFailed(f"{path}: line {line}: the tag is empty")
    parts = tag.split("/")
    if not all(part.strip() for part in parts):
        raise ImportFailed(f"{path}: line {line}: tag {tag!r} has an empty name before, "
                           "between or after its slashes ('/' separates a parent from a child)")
    guid_text = cell("guid")
    guid = normalize_guid(guid_text) if guid_text else _derived_guid(parts)
    if guid is None:
        raise ImportFailed(f"{path}: line {line}: guid {guid_text!r} is not a GUID")
    codable = cell("codable").lower()
    if codable not in _TRUE | _FALSE:
        raise ImportFailed(f"{path}: line {line}: codable {cell('codable')!r} is not "
                           "true or false")
    spec = CodeSpec(name=tag, guid=guid, colour=_colour(cell("colour"), line, path),
                    definition=cell("description") or None, codable=codable in _TRUE)
    for key in TEXT_COLUMNS:
        setattr(spec, key, cell(key) or None)
    return _Row(line, parts, cell("parent") or None if "parent" in columns else None, spec)


def _derived_guid(parts: list[str]) -> str:
    key = "/".join(fold(part) for part in parts)
    return str(uuid.uuid5(_GUID_NAMESPACE, key)).upper()


def _colour(value: str, line: int, path: Path) -> str | None:
    if not value:
        return None
    digits = value.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    try:
        int(digits, 16)
    except ValueError:
        digits = ""
    if len(digits) != 6:
        raise ImportFailed(f"{path}: line {line}: colour {value!r} is not #RRGGBB")
    return "#" + digits.upper()


def _key(parts: list[str]) -> tuple[str, ...]:
    return tuple(fold(part) for part in parts)


def _tree(rows: list[_Row], path: Path) -> list[CodeSpec]:
    by_path: dict[tuple[str, ...], _Row] = {}
    for row in rows:
        by_path.setdefault(_key(row.parts), row)
    parents: dict[int, _Row | None] = {}
    for row in rows:
        parents[id(row)], row.spec.name = _parent_of(row, by_path)
    for row in rows:
        # A 'parent' column can loop (a under b, b under a); prefixes never can.
        up, depth = parents[id(row)], 1
        while up is not None:
            depth += 1
            if up is row or depth > MAX_DEPTH:
                problem = "is its own ancestor" if up is row else (
                    f"is nested more than {MAX_DEPTH} levels deep")
                raise ImportFailed(f"{path}: line {row.line}: tag {'/'.join(row.parts)!r} "
                                   f"{problem}")
            up = parents[id(up)]
    roots: list[CodeSpec] = []
    for row in rows:
        parent = parents[id(row)]
        (parent.spec.children if parent else roots).append(row.spec)
    return roots


def _parent_of(row: _Row, by_path: dict[tuple[str, ...], _Row]) -> tuple[_Row | None, str]:
    whole = "/".join(row.parts).strip()
    if row.parent is not None:
        parent = by_path.get(_key(row.parent.split("/")))
        if parent is None or parent is row:
            return None, whole
        prefix = row.parent.strip() + "/"
        return parent, whole[len(prefix):].strip() if whole.startswith(prefix) else whole
    for cut in range(len(row.parts) - 1, 0, -1):
        parent = by_path.get(_key(row.parts[:cut]))
        if parent is not None and parent is not row:
            return parent, "/".join(row.parts[cut:]).strip()
    return None, whole
