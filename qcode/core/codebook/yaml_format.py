"""The codebook's native text format (YAML, ``format: qcode-codebook``).

The structure follows MacQueen et al. (1998), "Codebook development for team-based
qualitative analysis": each code has a short and a full definition, when to use it,
when not to, and an example. The YAML keeps the tree nested, one field per line, so a
codebook reads well and diffs well under version control.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from qcode.core import yamlsafe
from qcode.core.codebook.model import Codebook, CodeSpec, check_codebook
from qcode.core.errors import ImportFailed
from qcode.core.ids import new_guid, normalize_guid

FORMAT = "qcode-codebook"
FORMAT_VERSION = 1
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _spec(data: Any, path: Path, trail: str) -> CodeSpec:
    if not isinstance(data, dict):
        raise ImportFailed(f"{path}: {trail} must be a mapping with at least a 'name'")
    name = _str(data.get("name"))
    if not name:
        raise ImportFailed(f"{path}: {trail} has no name")
    where = f"{path}: code {name!r}"
    guid = new_guid()
    if data.get("guid") is not None:
        normal = normalize_guid(str(data["guid"]))
        if normal is None:
            raise ImportFailed(f"{where}: {data['guid']!r} is not a GUID")
        guid = normal
    colour = _str(data.get("colour", data.get("color")))
    if colour is not None and not _COLOUR.match(colour):
        raise ImportFailed(f"{where}: colour {colour!r} is not #RRGGBB")
    example = data.get("example")
    quote, ref = (example.get("quote"), example.get("ref")) if isinstance(example, dict) else (
        example, data.get("example_ref"))
    children = data.get("children") or []
    if not isinstance(children, list):
        raise ImportFailed(f"{where}: children must be a list")
    return CodeSpec(
        name=name,
        guid=guid,
        colour=colour.upper() if colour else None,
        short=_str(data.get("short")),
        definition=_str(data.get("definition")),
        when_to_use=_str(data.get("when_to_use")),
        when_not_to_use=_str(data.get("when_not_to_use")),
        example=_str(quote),
        example_ref=_str(ref),
        codable=bool(data.get("codable", True)),
        children=[_spec(c, path, f"child {i + 1} of {name!r}") for i, c in enumerate(children)],
    )


def parse_yaml(text: str, path: Path) -> Codebook:
    """Parse a native codebook; errors name the file, and the line where YAML gives one."""
    data = yamlsafe.load(text, path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFailed(f"{path}: not a qcode codebook (expected 'format: {FORMAT}')")
    version = data.get("format_version", FORMAT_VERSION)
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ImportFailed(
            f"{path}: codebook format version {version} is newer than this qcode reads "
            f"({FORMAT_VERSION}); upgrade qcode"
        )
    codes = data.get("codes") or []
    if not isinstance(codes, list):
        raise ImportFailed(f"{path}: 'codes' must be a list")
    codebook = Codebook(
        name=_str(data.get("name")) or path.stem,
        version=_str(data.get("version")),
        description=_str(data.get("description")),
        source=_str(data.get("source")),
        codes=[_spec(c, path, f"code {i + 1}") for i, c in enumerate(codes)],
    )
    check_codebook(codebook, path)
    return codebook


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line text, so definitions diff line by line."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_representer)


def _code_dict(code: CodeSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"guid": code.guid, "name": code.name}
    if code.colour:
        data["colour"] = code.colour
    for key in ("short", "definition", "when_to_use", "when_not_to_use"):
        value = getattr(code, key)
        if value:
            data[key] = value
    if code.example or code.example_ref:
        data["example"] = {"quote": code.example, "ref": code.example_ref}
    if not code.codable:
        data["codable"] = False
    if code.children:
        data["children"] = [_code_dict(c) for c in code.children]
    return data


def dump_yaml(codebook: Codebook) -> str:
    """The native text of a codebook (``parse_yaml(dump_yaml(cb))`` gives it back)."""
    data: dict[str, Any] = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": codebook.name,
    }
    for key in ("version", "description", "source"):
        value = getattr(codebook, key)
        if value:
            data[key] = value
    data["codes"] = [_code_dict(c) for c in codebook.codes]
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=88)
