"""Fixtures: the real service (tests/infrastructure/service.py), one per test or one shared per session."""
from __future__ import annotations

import sys
import uuid
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the package from this checkout, installed or not
sys.path.insert(0, str(Path(__file__).resolve().parent))

from infrastructure.service import Service  # noqa: E402


@pytest.fixture(scope="session")
def shared_service(tmp_path_factory):
    """One service for the tests that neither stop nor kill it (each uses robot ids of its own)."""
    service = Service(tmp_path_factory.mktemp("shared")).start()
    yield service
    service.kill()


@pytest.fixture
def service(tmp_path):
    """A service of the test's own: it may kill and restart it."""
    data = tmp_path / "data"
    data.mkdir()
    service = Service(data)
    yield service
    service.kill()


@pytest.fixture
def robot_id():
    return f"py-{uuid.uuid4().hex[:8]}"
