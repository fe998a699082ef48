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


@pytest.fixture
def bounded_shrinking(monkeypatch):
    """Hypothesis shrinks for up to 5 minutes; a model step costs up to a few seconds, so CI stops
    sooner (the plan printed is then short, if not always the shortest). Hypothesis still says
    "more than five minutes" when it stops: the text is fixed, the limit is model_support's."""
    from hypothesis.internal.conjecture import engine

    from .model_support import SHRINK_SECONDS

    monkeypatch.setattr(engine, "MAX_SHRINKING_SECONDS", SHRINK_SECONDS)
