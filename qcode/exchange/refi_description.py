"""Our codebook fields inside a REFI-QDA ``<Description>``.

REFI-QDA gives a code one free-text ``Description``; a qcode code has a definition plus
the MacQueen et al. (1998) fields. The definition is written first, as it is, so NVivo,
ATLAS.ti, MAXQDA and QualCoder show it as the code's description; the other fields
follow under a marker line, one labelled field each, in a layout meant to be read by a
person in any of those tools::

    Umbrella theme for the contacts between NGOs and the power ministries …

    [qcode fields]
    Short: Working relations between NGOs and the power ministries.
    When to use: A passage describes the existence, form or channel of contact …
      a second line of the same field is indented by two spaces
    When not to use: For the NGO's own stance use “cooperation strategies” …
    Example: NGOs whose activities bring them into contact with the power ministries
    Example source: §5

Reading takes the *last* marker line whose following lines all parse as fields; a
definition that itself contains a marker line is written with an (empty) block after it,
so our own round trip is exact. A description without a valid block is all definition:
that is how descriptions written by other tools arrive.

Field text is normalised as XML must carry it (:func:`qcode.exchange.xmlsafe.xml_text`)
and stripped, before it is laid out.
"""

from __future__ import annotations

import re

from qcode.core.codebook.model import CodeSpec
from qcode.exchange.xmlsafe import xml_text

MARKER = "[qcode fields]"
EXTRA_FIELDS = (
    ("short", "Short"),
    ("when_to_use", "When to use"),
    ("when_not_to_use", "When not to use"),
    ("example", "Example"),
    ("example_ref", "Example source"),
)
_BY_LABEL = {label: key for key, label in EXTRA_FIELDS}
_FIELD_LINE = re.compile(
    r"^(" + "|".join(re.escape(label) for _key, label in EXTRA_FIELDS) + r"):(?: (.*))?$"
)
_INDENT = "  "


def clean(text: str | None) -> str | None:
    """A field as it will travel: XML-safe, stripped, None when nothing is left."""
    if text is None:
        return None
    return xml_text(text).strip() or None


def pack(spec: CodeSpec) -> str | None:
    """The ``Description`` text for a code, or None when it has nothing to say."""
    definition = clean(spec.definition)
    lines: list[str] = []
    for key, label in EXTRA_FIELDS:
        value = clean(getattr(spec, key))
        if value is None:
            continue
        first, *rest = value.split("\n")
        lines.append(f"{label}: {first}")
        lines.extend(_INDENT + line for line in rest)
    plain = {"definition": definition} | {key: None for key, _label in EXTRA_FIELDS}
    if not lines and (definition is None or unpack(definition) == plain):
        return definition
    block = "\n".join([MARKER, *lines])
    return block if definition is None else f"{definition}\n\n{block}"


def unpack(text: str | None) -> dict[str, str | None]:
    """The definition and extra fields held in a ``Description``."""
    fields: dict[str, str | None] = {"definition": None}
    fields.update((key, None) for key, _label in EXTRA_FIELDS)
    if text is None:
        return fields
    lines = text.split("\n")
    for index in range(len(lines) - 1, -1, -1):
        if lines[index].rstrip() != MARKER:
            continue
        parsed = _parse_block(lines[index + 1:])
        if parsed is not None:
            fields.update(parsed)
            fields["definition"] = "\n".join(lines[:index]).strip() or None
            return fields
        break
    fields["definition"] = text.strip() or None
    return fields


def _parse_block(lines: list[str]) -> dict[str, str | None] | None:
    values: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        match = _FIELD_LINE.match(line)
        if match:
            key = _BY_LABEL[match.group(1)]
            if key in values:
                return None
            current = values[key] = [match.group(2) or ""]
        elif current is not None and (line.startswith(_INDENT) or not line.strip()):
            current.append(line[len(_INDENT):])
        elif line.strip():
            return None
    return {key: "\n".join(parts).strip() or None for key, parts in values.items()}
