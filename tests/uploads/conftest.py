"""Fixtures for the upload engine tests: an empty sandbox studio and the app's store."""

from __future__ import annotations

import pytest

from studio_desktop.core.store import Store


@pytest.fixture
def server(sandbox_factory):
    return sandbox_factory("empty")


@pytest.fixture
def store(app_paths):
    with Store() as opened:
        yield opened
