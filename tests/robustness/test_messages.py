"""Refusals that used to mislead (issue 14, items 16, 17, 19, 20): the message says what
happened, the exit status follows the one rule in the README, nothing is left behind."""

from __future__ import annotations

from tests.conftest import Cli
from tests.refusals import assert_refused, digest

DOC = "sieca-kozlowski-2009"


# -- 17. one exit-status rule ---------------------------------------------------------------


def test_nothing_to_undo_is_a_refusal_like_any_other(study_cli: Cli) -> None:
    before = digest(study_cli.path)
    assert_refused(study_cli("undo", coder="carol"), "nothing to undo")
    assert_refused(study_cli("redo", coder="carol"), "nothing to redo")
    assert digest(study_cli.path) == before
    # Already as asked is not a refusal: exit 0.
    assert study_cli("tag", DOC, "§12", "regional variation").exit_code == 0
    again = study_cli("tag", DOC, "§12", "regional variation")
    assert again.exit_code == 0 and "already carries" in again.stdout
