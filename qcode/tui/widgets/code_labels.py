"""One code's line in the codebook pane, fitted to the pane's width.

``1✓■ state pr…on NGOs  12``: the number key, a mark when the code is on the current
paragraph (✓ yours, ○ only another coder's), the colour, the name — shortened in the
middle when the pane is narrow — and the coder's count, always whole, at the right.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from qcode.core.model import Code
from qcode.tui.widgets.blocks import code_colour
from qcode.tui.wording import middle

# Below this many cells for the name, the count still shows and the name gets "…".
MIN_NAME = 4
OWN, OTHERS = "✓", "○"


def indent(depth: int, expandable: bool) -> int:
    """Cells the tree draws before a node's label (guides, and the ▼ of a parent) with
    two-cell guides and the root hidden."""
    return 2 * depth + (2 if expandable else 0)


def code_label(code: Code, *, key: int | None, count: int, here: bool | None,
               room: int | None) -> Text:
    """The label: ``here`` is True for the coder's own coding on the current paragraph,
    False for another coder's only, None for neither; ``room`` is the cells the label
    may take (None: as wide as it needs)."""
    label = Text(no_wrap=True, overflow="crop")
    label.append(str(key) if key else " ", style="bold")
    if here is None:
        label.append(" ")
    else:
        label.append(OWN if here else OTHERS, style="bold green" if here else "green")
    label.append("■ " if code.codable else "□ ", style=code_colour(code))
    counted = f" {count:,}" if count else ""
    name_room = (max(room - label.cell_len - cell_len(counted), MIN_NAME)
                 if room is not None else cell_len(code.name))
    name = middle(code.name, name_room)
    style = ("bold" if here else "") + ("" if code.codable else " italic")
    label.append(name, style=style.strip())
    if counted:
        if room is not None:
            label.append(" " * max(room - label.cell_len - cell_len(counted), 0))
        label.append(counted, style="dim")
    return label


__all__ = ["OTHERS", "OWN", "code_label", "indent"]
