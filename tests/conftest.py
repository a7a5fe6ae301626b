"""Shared test fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SITE = REPO / "newsarchive" / "sample_site"


@pytest.fixture
def repo_root() -> Path:
    return REPO
