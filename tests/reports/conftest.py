"""Fixtures for the report tests (helpers live in report_helpers.py)."""

from __future__ import annotations

import pytest
from report_helpers import Small, build_small

from qcode import Project


@pytest.fixture
def small(project: Project) -> Small:
    """Three documents, a four-level code tree, three coders (report_helpers.CODINGS)."""
    return build_small(project)
