"""A catalog of document metadata (e.g. corpus/interviews.yaml): entries matched to an
imported file by its name, or named explicitly (``qcode import FILE --as alpern``), whose
attributes the document then carries."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qcode.core import yamlsafe
from qcode.core.errors import ImportFailed
from qcode.core.ids import fold
from qcode.core.textfile import decode, read_bytes

if TYPE_CHECKING:
    from qcode.core.reading import ProjectReader

FORMAT = "qcode-catalog"
# Where `qcode import --metadata` keeps the catalog in the project (a meta key), so
# later imports, from the command line or the app, match files against it too.
CATALOG_KEY = "catalog"


@dataclass(frozen=True)
class CatalogEntry:
    """Metadata for one expected document."""

    key: str
    match: tuple[str, ...]
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Catalog:
    """Entries in file order; the first whose fragment is in a file name wins."""

    entries: tuple[CatalogEntry, ...]

    def find(self, file_name: str) -> CatalogEntry | None:
        """The entry a file name identifies (case- and accent-insensitive)."""
        name = fold(Path(file_name).stem)
        for entry in self.entries:
            if any(fold(fragment) in name for fragment in (entry.key, *entry.match)):
                return entry
        return None

    def get(self, key: str) -> CatalogEntry | None:
        """The entry with this key (case-insensitive)."""
        wanted = fold(key)
        return next((e for e in self.entries if fold(e.key) == wanted), None)

    def to_json(self) -> str:
        """Serialised form kept in the project."""
        return json.dumps(
            [{"key": e.key, "match": list(e.match), "attributes": e.attributes}
             for e in self.entries],
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> Catalog:
        """Inverse of :meth:`to_json`."""
        return cls(tuple(
            CatalogEntry(d["key"], tuple(d["match"]), dict(d["attributes"]))
            for d in json.loads(text)
        ))


def stored_catalog(project: ProjectReader) -> Catalog | None:
    """The catalog an earlier ``qcode import --metadata`` kept in the project, if any."""
    text = project.meta(CATALOG_KEY)
    return Catalog.from_json(text) if text else None


def load_catalog(path: Path) -> Catalog:
    """Read a catalog YAML file (``format: qcode-catalog``)."""
    text = decode(read_bytes(path), path)
    data: Any = yamlsafe.load(text, path)
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportFailed(f"{path}: not a qcode metadata catalog (expected 'format: {FORMAT}')")
    entries = []
    for index, item in enumerate(data.get("documents") or [], start=1):
        if not isinstance(item, dict) or not item.get("key"):
            raise ImportFailed(f"{path}: document entry {index} has no 'key'")
        attributes = item.get("attributes") or {}
        if not isinstance(attributes, dict):
            raise ImportFailed(f"{path}: attributes of {item['key']!r} must be key: value pairs")
        entries.append(
            CatalogEntry(
                key=str(item["key"]),
                match=tuple(str(m) for m in item.get("match") or ()),
                attributes={str(k): str(v) for k, v in attributes.items() if v is not None},
            )
        )
    return Catalog(tuple(entries))
