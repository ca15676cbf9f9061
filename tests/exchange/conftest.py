"""Fixtures for the exchange tests."""

from __future__ import annotations

from typing import Any

import pytest
import xmlschema

from tests.exchange.strategies import SCHEMAS


@pytest.fixture(scope="session")
def codebook_schema() -> Any:
    """The official REFI-QDA Codebook.xsd (a copy, so tests do not need ../shared)."""
    return xmlschema.XMLSchema(SCHEMAS / "Codebook.xsd")
