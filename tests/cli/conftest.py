"""A small sandbox for the command-line tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sheetsync.sandbox import Sandbox
from tests.conftest import start_sandbox


@pytest.fixture
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=12, assets=3)
    yield box
    box.stop()
