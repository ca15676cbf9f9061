"""Small helpers for what the screens say: plurals, and names shortened to fit."""

from __future__ import annotations

from rich.cells import cell_len


def plural(count: int, noun: str, many: str | None = None) -> str:
    """"1 paragraph", "3 paragraphs" (``many`` for an irregular plural)."""
    return f"{count:,} {noun if count == 1 else (many or noun + 's')}"


def middle(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells by taking out its middle ("state pr…on NGOs"):
    the start and the end of a code's name are what tell codes apart."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return "…"[:max(width, 0)]
    keep = width - 1
    head = text[: (keep + 1) // 2]
    while cell_len(head) > (keep + 1) // 2:  # wide characters take two cells
        head = head[:-1]
    head = head.rstrip()
    # The end gets what the start left, one character at a time (wide ones count two).
    tail, index = "", len(text)
    while index > len(head):
        candidate = text[index - 1] + tail
        if cell_len(head) + cell_len(candidate.lstrip()) > keep:
            break
        tail, index = candidate, index - 1
    return head + "…" + tail.lstrip()


__all__ = ["middle", "plural"]
