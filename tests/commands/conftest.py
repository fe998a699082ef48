"""The command tests' studio: an empty sandbox that the commands find through their usual settings."""

from __future__ import annotations

import pytest

from studio_desktop.core import config


@pytest.fixture
def server(sandbox_factory, monkeypatch):
    """An empty sandbox whose demo token is in the environment, as a user would set it."""
    server = sandbox_factory("empty")
    monkeypatch.setenv(config.ENV_ACCESS_TOKEN, server.access_token)
    monkeypatch.delenv(config.ENV_API_URL, raising=False)
    monkeypatch.delenv(config.ENV_SANDBOX, raising=False)
    return server
