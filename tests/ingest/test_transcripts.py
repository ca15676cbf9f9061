"""Transcripts as transcription tools and people write them: speaker labels of every
shape, timestamps before and after them, WebVTT and SubRip."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.errors import ImportFailed
from qcode.core.store import schema
from qcode.ingest import read_document
from tests.conftest import Cli
from tests.refusals import assert_refused, digest


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def turns(folder: Path, name: str, text: str) -> list[tuple[str | None, int | None, str]]:
    """(speaker, time in ms, text) of each paragraph of the transcript."""
    document = read_document(write(folder, name, text))
    for p in document.paragraphs:  # the text is the paragraph's place in the document
        assert document.text[p.start:p.end] == p.text
    return [(p.speaker, p.time_ms, p.text) for p in document.paragraphs]


def test_labels_with_digits_and_hyphens(tmp_path: Path) -> None:
    text = ("INT-1: When did you register?\n\n"
            "resp-2: In 2007.\n\n"
            "It took a year.\n\n"
            "INT-1: And P03?\n\n"
            "P03: Later, in 2009.\n")
    assert turns(tmp_path, "a.txt", text) == [
        ("INT-1", None, "When did you register?"), ("resp-2", None, "In 2007."),
        ("resp-2", None, "It took a year."), ("INT-1", None, "And P03?"),
        ("P03", None, "Later, in 2009."),
    ]


def test_lower_case_and_one_word_labels(tmp_path: Path) -> None:
    text = ("moderator: Who starts?\n\n"
            "natasha: I can.\n\n"
            "moderator: Go on.\n\n"
            "natasha: We began as volunteers.\n")
    assert [s for s, _t, _x in turns(tmp_path, "b.txt", text)] == [
        "moderator", "natasha", "moderator", "natasha"]


def test_titles_and_capitals(tmp_path: Path) -> None:
    text = ("INTERVIEWER: Good morning.\n\n"
            "Dr. Ortiz: Good morning. Shall we?\n\n"
            "INTERVIEWER: Please.\n\n"
            "Dr. Ortiz: The ministry called us first.\n")
    assert turns(tmp_path, "c.txt", text) == [
        ("INTERVIEWER", None, "Good morning."), ("Dr. Ortiz", None, "Good morning. Shall we?"),
        ("INTERVIEWER", None, "Please."), ("Dr. Ortiz", None, "The ministry called us first."),
    ]


def test_timestamps_before_the_label(tmp_path: Path) -> None:
    text = ("[00:01:23] Moderator: Let us begin.\n\n"
            "00:01:30 Ortiz: Yes.\n\n"
            "(1:45) Moderator: Why?\n\n"
            "[01:02:03.500] Ortiz: Because.\n")
    assert turns(tmp_path, "d.txt", text) == [
        ("Moderator", 83_000, "Let us begin."), ("Ortiz", 90_000, "Yes."),
        ("Moderator", 105_000, "Why?"), ("Ortiz", 3_723_500, "Because."),
    ]


def test_timestamps_after_the_label(tmp_path: Path) -> None:
    text = ("Moderator [00:01:23]: Let us begin.\n\n"
            "Ortiz (1:30): Yes.\n\n"
            "Moderator: [00:01:45] Why?\n\n"
            "[00:02:00] And since when?\n\n"
            "Ortiz 00:02:10: Since 2006.\n")
    assert turns(tmp_path, "e.txt", text) == [
        ("Moderator", 83_000, "Let us begin."), ("Ortiz", 90_000, "Yes."),
        ("Moderator", 105_000, "Why?"), ("Moderator", 120_000, "And since when?"),
        ("Ortiz", 130_000, "Since 2006."),
    ]


def test_a_time_is_kept_out_of_the_text_but_in_the_document(tmp_path: Path) -> None:
    document = read_document(write(tmp_path, "f.txt", "[00:00:05] P1: Hello.\n\nP2: Hi.\n"))
    assert document.paragraphs[0].text == "Hello."
    assert document.text.startswith("[00:00:05] P1: Hello.")


def test_otter_header_lines(tmp_path: Path) -> None:
    text = ("Speaker 1  0:03\nSo how did it start?\n\n"
            "Speaker 2  0:07\nWith a letter from the ministry.\n\n"
            "Speaker 1  1:02:15\nAnd then?\n")
    assert turns(tmp_path, "g.txt", text) == [
        ("Speaker 1", 3_000, "So how did it start?"),
        ("Speaker 2", 7_000, "With a letter from the ministry."),
        ("Speaker 1", 3_735_000, "And then?"),
    ]


def test_turns_on_consecutive_lines_are_split(tmp_path: Path) -> None:
    text = ("Interview 4, Kazan\n\n"
            "Moderator: How many of you are there?\n"
            "resp-2: Twelve, most of them\n"
            "volunteers.\n"
            "Moderator: Paid?\n"
            "resp-2: No.\n")
    assert turns(tmp_path, "h.txt", text)[1:] == [
        ("Moderator", None, "How many of you are there?"),
        ("resp-2", None, "Twelve, most of them\nvolunteers."),
        ("Moderator", None, "Paid?"), ("resp-2", None, "No."),
    ]


def test_a_label_once_in_running_prose_is_not_a_speaker(tmp_path: Path) -> None:
    text = ("Moderator: Tell me about it.\n\n"
            "Ortiz: It was hard.\n\n"
            "Result: nobody came to the second meeting.\n\n"
            "Moderator: Why?\n\n"
            "Ortiz: Fear.\n\n"
            "Note: this line\nwraps.\n")
    found = turns(tmp_path, "i.txt", text)
    assert found[2] == ("Ortiz", None, "Result: nobody came to the second meeting.")
    assert found[5] == ("Ortiz", None, "Note: this line\nwraps.")
    # Prose with a colon but no speakers at all stays prose, and "5:30" stays text.
    prose = turns(tmp_path, "j.txt", "Summary: the visit went well.\n\n"
                                     "At 5:30 the office closed.\n\n5:30 was late.\n")
    assert [(s, t) for s, t, _x in prose] == [(None, None)] * 3
    assert prose[2][2] == "5:30 was late."


# -- WebVTT and SubRip ------------------------------------------------------------------

TEAMS = """WEBVTT

NOTE Exported by Microsoft Teams

0b1c-1
00:00:01.000 --> 00:00:04.000
<v Alice Smith>How did the 2006 law change your work?</v>

0b1c-2
00:00:04.500 --> 00:00:06.000
<v Alice Smith>I mean, in practice.</v>

00:00:07.000 --> 00:00:12.250 align:start position:10%
<v Bob>We had to <i>re-register</i> &amp; wait.</v>

00:00:12.500 --> 00:00:15.000
<v.loud Bob>It took months.</v>

01:00:01.000 --> 01:00:03.000
<v Alice Smith>Thank you.</v>
"""

ZOOM = """WEBVTT

1
00:00:01.000 --> 00:00:04.000
Dr. Ortiz: Let's start with the registration.

2
00:00:04.000 --> 00:00:06.000
Dr. Ortiz: When did it begin?

3
00:00:06.500 --> 00:00:09.000
resp-2: In 2007, after the law.

4
00:00:09.000 --> 00:00:11.000
resp-2: Nobody told us anything.

5
00:00:11.000 --> 00:00:12.000
Dr. Ortiz: Thanks.
"""

SRT = """1
00:00:00,000 --> 00:00:03,200
Moderator: So the first thing we noticed

2
00:00:03,200 --> 00:00:05,000
was the inspections.

3
00:00:09,000 --> 00:00:12,000
Participant 4: Later, things calmed down.
"""

WHISPER = """1
00:00:00,000 --> 00:00:03,200
So the first thing we noticed

2
00:00:03,200 --> 00:00:05,000
was the inspections.

3
00:00:09,000 --> 00:00:12,000
Later, things calmed down.
"""


def test_webvtt_voice_tags_join_into_turns(tmp_path: Path) -> None:
    assert turns(tmp_path, "teams.vtt", TEAMS) == [
        ("Alice Smith", 1_000, "How did the 2006 law change your work? I mean, in practice."),
        ("Bob", 7_000, "We had to re-register & wait. It took months."),
        ("Alice Smith", 3_601_000, "Thank you."),
    ]
    document = read_document(tmp_path / "teams.vtt")
    assert document.text.startswith("[00:00:01] Alice Smith: How did")
    assert "\n\n[00:00:07] Bob: We had to" in document.text


def test_webvtt_with_names_in_the_cue_text(tmp_path: Path) -> None:
    assert turns(tmp_path, "zoom.vtt", ZOOM) == [
        ("Dr. Ortiz", 1_000, "Let's start with the registration. When did it begin?"),
        ("resp-2", 6_500, "In 2007, after the law. Nobody told us anything."),
        ("Dr. Ortiz", 11_000, "Thanks."),
    ]


def test_subrip_with_and_without_speakers(tmp_path: Path) -> None:
    assert turns(tmp_path, "otter.srt", SRT) == [
        ("Moderator", 0, "So the first thing we noticed was the inspections."),
        ("Participant 4", 9_000, "Later, things calmed down."),
    ]
    # No speakers (Whisper): a pause of two seconds or more starts a paragraph.
    assert turns(tmp_path, "whisper.srt", WHISPER) == [
        (None, 0, "So the first thing we noticed was the inspections."),
        (None, 9_000, "Later, things calmed down."),
    ]


@pytest.mark.parametrize(("text", "line", "what"), [
    ("00:00:01.000 --> 00:00:02.000\nHello.\n", 1, "starts with 'WEBVTT'"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>Hi.</v>\n\n"
     "00:00:03.000 -> 00:00:04.000\n<v B>Hello.</v>\n", 6, "expected a cue timing"),
    ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nHi.\n\n2\nHello.\n", 8,
     "expected a cue timing"),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\nHi.\n", 3, "ends before it starts"),
    ("WEBVTT\n\n00:00:75.000 --> 00:00:76.000\nHi.\n", 3, "60 or more"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi.\n00:00:03.000 --> 00:00:04.000\nYo.\n",
     5, "a blank line is missing"),
    ("WEBVTT\n00:00:01.000 --> 00:00:02.000\nHi.\n", 2, "a blank line must separate"),
    ("WEBVTT\n\nlonely-cue-id\n", 3, "no timing line"),
])
def test_a_broken_webvtt_file_is_refused_with_its_line(
        tmp_path: Path, text: str, line: int, what: str) -> None:
    path = write(tmp_path, "broken.vtt", text)
    with pytest.raises(ImportFailed, match=f"broken.vtt: line {line}: .*{what}"):
        read_document(path)


def test_a_broken_webvtt_import_writes_nothing(study_cli: Cli, tmp_path: Path) -> None:
    good = write(tmp_path, "good.vtt", TEAMS)
    bad = write(tmp_path, "bad.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHi.\n\n"
                                     "00:00:03 --> 00:00:04.000\nHo.\n")
    before = digest(study_cli.path)
    assert_refused(study_cli("import", str(good), str(bad)), "bad.vtt: line 6:")
    assert digest(study_cli.path) == before


def test_times_are_kept_in_the_project(project: Project, tmp_path: Path) -> None:
    document = project.add_document(read_document(write(tmp_path, "t.vtt", TEAMS)),
                                    coder="alice")
    stored = project.paragraphs(document.id)
    assert [(p.speaker, p.time_ms) for p in stored] == [
        ("Alice Smith", 1_000), ("Bob", 7_000), ("Alice Smith", 3_601_000)]
    assert project.document_text(document.id) == read_document(tmp_path / "t.vtt").text
    # Removing the document and taking that back brings the times back too.
    project.remove_document(document, coder="alice")
    project.undo(coder="alice")
    again = project.paragraphs(project.document("t").id)
    assert [p.time_ms for p in again] == [1_000, 7_000, 3_601_000]


def test_an_older_project_gains_paragraph_times(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    with Project.create(path) as project:
        project.add_document(read_document(write(tmp_path, "t.txt", "P1: Hello.\n")),
                             coder="alice")
    conn = sqlite3.connect(path)
    conn.execute("ALTER TABLE paragraphs DROP COLUMN time_ms")
    conn.execute("DELETE FROM schema_migrations WHERE version = 9")
    conn.commit()
    conn.close()
    with Project.open(path) as opened:
        assert schema.current_version(opened.conn) == schema.LATEST
        (paragraph,) = opened.paragraphs(opened.document("t").id)
        assert (paragraph.speaker, paragraph.time_ms) == ("P1", None)
        document = opened.add_document(read_document(write(tmp_path, "u.vtt", TEAMS)),
                                       coder="alice")
        assert opened.paragraphs(document.id)[1].time_ms == 7_000
    assert len(list(tmp_path.glob("old.db.before-schema-*.bak"))) == 1


def test_show_gives_each_turn_its_time(cli: Cli, tmp_path: Path) -> None:
    assert cli("init").exit_code == 0
    assert cli("import", str(write(tmp_path, "teams.vtt", TEAMS))).exit_code == 0
    import json

    shown = json.loads(cli("show", "teams", "--json").output)["paragraphs"]
    assert [(p["speaker"], p["time"]) for p in shown] == [
        ("Alice Smith", "00:00:01"), ("Bob", "00:00:07"), ("Alice Smith", "01:00:01")]
    assert "[00:00:07] Bob: We had to re-register & wait." in cli("show", "teams").output
