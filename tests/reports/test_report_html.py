"""`qcode report all -o report.html` on the bundled study: titled with the project's
name, the code definitions in it, each paragraph quoted in full once, and every bar
visible on white."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import yaml

from tests.conftest import CODEBOOK, Cli

DOC = "sieca-kozlowski-2009"
NAME = "NGOs and the power ministries (Sieca-Kozlowski 2009)"
TAGS = [("§12", "regional variation"), ("§12", "personal relations with officials"),
        ("§12", "turnover of officials"), ("§13", "regional variation"),
        ("§13", "harassment and inspections"), ("§20", "law enforcement interest in cooperation"),
        ("§17", "foreign funding")]


def report(cli: Cli, tmp_path: Path) -> str:
    assert cli("init", "--name", NAME).exit_code == 0
    assert cli("import", str(Path(CODEBOOK).parents[1] / "corpus" / f"{DOC}.md")).exit_code == 0
    assert cli("codebook", "load", str(CODEBOOK)).exit_code == 0
    for label, code in TAGS:
        assert cli("tag", DOC, label, code).exit_code == 0
    assert cli("tag", DOC, "§12", "regional variation", coder="bob").exit_code == 0
    target = tmp_path / "report.html"
    assert cli("report", "all", "-o", str(target)).exit_code == 0
    return target.read_text(encoding="utf-8")


def codes_of(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [c for node in nodes for c in (node, *codes_of(node.get("children") or []))]


def test_titled_with_the_project_and_holding_the_definitions(cli: Cli, tmp_path: Path) -> None:
    page = report(cli, tmp_path)
    assert re.search(r"<title>([^<]*)</title>", page).group(1).startswith(  # type: ignore[union-attr]
        html.escape(NAME))
    assert f"<h1>{html.escape(NAME)}</h1>" in page
    assert "<h1>Report</h1>" not in page
    book = yaml.safe_load(CODEBOOK.read_text(encoding="utf-8"))
    codes = codes_of(book["codes"])
    assert len(codes) == 35
    flat = " ".join(html.unescape(page).split())
    for code in codes:
        for field in ("definition", "when_to_use", "when_not_to_use"):
            assert " ".join(code[field].split()) in flat, (code["name"], field)


def test_a_paragraph_is_quoted_in_full_once(cli: Cli, tmp_path: Path) -> None:
    page = report(cli, tmp_path)
    segments = page[page.index('<section id="segments">'):]
    segments = segments[:segments.index("</section>")]
    quoted = re.findall(r"<blockquote[^>]*>\s*<p>(.*?)</p>", segments, flags=re.S)
    full = [q for q in quoted if not q.endswith(" …")]
    assert len(full) == len(set(full)) == 4  # §12, §13, §17, §20
    # §12 carries three codes (and two coders): one full quote, two references to it.
    assert len(re.findall(r"quoted in full under", segments)) == 3
    target = re.search(r'href="#(quote-\d+)"', segments).group(1)  # type: ignore[union-attr]
    assert f'id="{target}"' in segments


def wcag_contrast(a: str, b: str) -> float:
    """The WCAG 2.1 contrast ratio, written out here independently of qcode."""
    def lum(colour: str) -> float:
        out = []
        for i in (1, 3, 5):
            c = int(colour[i:i + 2], 16) / 255
            out.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
        return 0.2126 * out[0] + 0.7152 * out[1] + 0.0722 * out[2]
    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_bar_has_an_edge_that_shows_on_white(cli: Cli, tmp_path: Path) -> None:
    page = report(cli, tmp_path)
    chart = page[page.index('<section id="frequencies">'):]
    chart = chart[:chart.index("</svg>")]
    bars = re.findall(r'<rect x="330" [^>]*fill="(#[0-9A-F]{6})"([^>]*)>', chart)
    assert len(bars) == 35
    pale = [fill for fill, _rest in bars if wcag_contrast(fill, "#FFFFFF") < 3]
    assert len(pale) >= 10, "the study's colours include pale ones: the test means something"
    for fill, rest in bars:
        edge = re.search(r'stroke="(#[0-9A-F]{6})"', rest)
        assert edge is not None, fill
        for background in ("#FFFFFF", "#F5F7FA"):
            assert wcag_contrast(edge.group(1), background) >= 3, (fill, edge.group(1))
