"""The bundled article imports as the numbered paragraphs the study cites (§1–§34)."""

from __future__ import annotations

import re

from qcode import Project
from qcode.ingest import read_document
from tests.conftest import ARTICLE, CODER


def test_article_has_34_numbered_paragraphs_in_order() -> None:
    document = read_document(ARTICLE)
    numbered = [p.label for p in document.paragraphs if re.fullmatch(r"§\d+", p.label or "")]
    assert numbered == [f"§{n}" for n in range(1, 35)]


def test_list_items_quote_and_notes_are_paragraphs_of_their_own() -> None:
    labels = [p.label for p in read_document(ARTICLE).paragraphs]
    assert labels[labels.index("§8") + 1 : labels.index("§9")] == [f"§8.{n}" for n in range(1, 7)]
    assert labels[labels.index("§31") + 1 : labels.index("§32")] == [
        f"§31.{n}" for n in range(1, 5)
    ]
    assert labels[labels.index("§13") + 1] == "§13 quote"
    assert labels[-11:] == [f"note {n}" for n in range(1, 12)]
    assert len(labels) == 34 + 6 + 4 + 1 + 11
    assert len(set(labels)) == len(labels), "labels are unique, so §N finds one paragraph"


def test_paragraph_text_is_the_article_text() -> None:
    by_label = {p.label: p for p in read_document(ARTICLE).paragraphs}
    assert by_label["§1"].text.startswith("The idea for this issue came to me after reading")
    assert "March 2006¹ and brought" in by_label["§1"].text  # note call, not "20061"
    assert by_label["§8.5"].text.startswith("Agora, Kazan - Founded in 2005")
    assert by_label["§13 quote"].text.startswith("“To my mind, the turning point was in 2005")
    assert by_label["§31.4"].text.startswith("During the Soviet era there were no independent")
    assert by_label["§34"].text.startswith("Our thanks in particular to the volunteer editors")
    assert by_label["note 1"].text == (
        "Brian Taylor, “Law Enforcement and Civil Society in Russia”, Europe-Asia Studies, "
        "Vol. 58, # 2, March 2006, pp. 193-213."
    )
    text = " ".join(p.text for p in read_document(ARTICLE).paragraphs)
    for furniture in ("Skip to navigation", "Top of page", "(...)", "Electronic reference"):
        assert furniture not in text


def test_sections_follow_the_article_headings() -> None:
    by_label = {p.label: p for p in read_document(ARTICLE).paragraphs}
    assert by_label["§1"].section is None
    assert by_label["§10"].section is not None
    assert by_label["§10"].section.endswith("a generational phenomenon?")
    assert by_label["§12"].section.startswith("Relations with the administrations depend")
    assert by_label["§13"].section == "The 2006 law has weakened NGOs in general …"
    assert by_label["§13 quote"].section == by_label["§13"].section
    assert by_label["§17"].section == "The importance of international support and exchange"
    assert by_label["§33"].section == "Tribute to Stanislav Markelov"
    assert by_label["note 4"].section == "Notes"


def test_offsets_point_into_the_document_text() -> None:
    document = read_document(ARTICLE)
    for paragraph in document.paragraphs:
        assert document.text[paragraph.start : paragraph.end] == paragraph.text
    assert "§12 Relations between associations" in document.text


def test_front_matter_gives_title_author_licence(study: Project) -> None:
    doc = study.document("sieca-kozlowski-2009")
    assert doc.title == "NGOs and the Power Ministries in Russia: from Resistance to Cooperation?"
    assert doc.author == "Elisabeth Sieca-Kozlowski"
    assert doc.kind == "article"
    assert doc.licence == "CC BY-NC-ND 2.0"
    assert doc.language == "en"
    attributes = study.attributes(doc.id)
    assert attributes["journal"] == "The Journal of Power Institutions in Post-Soviet Societies"
    assert attributes["issue"] == "9"
    assert attributes["year"] == "2009"


def test_study_project_holds_the_article_paragraphs(study: Project) -> None:
    doc = study.document("sieca-kozlowski-2009")
    assert study.paragraph_count(doc.id) == 56
    assert study.paragraph(doc, "§12").text.startswith("Relations between associations")
    assert study.paragraph(doc, "§ 12").id == study.paragraph(doc, "§12").id
    assert study.paragraph(doc, "note 3").label == "note 3"
    assert study.paragraph(doc, "#18").label == "§12"  # position 18: after §8's six items
    assert study.paragraph(doc, "18").label == "§18"  # a bare number: the label first
    assert CODER in [c.name for c in study.coders()]
