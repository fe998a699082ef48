"""Shared fixtures: every test gets its own folders and, when it asks, its own sandbox studio."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LANG", "C.UTF-8")

import logging

import pytest
from logfail import LogFailHandler, describe

from studio_desktop.core import paths

# Fixtures for tests that need only the Pixieset side: pixieset_host, pixieset_server;
# pytester for tests/test_logfail.py.
pytest_plugins = ["pixieset_server", "pytester"]


@pytest.fixture(scope="session", autouse=True)
def keyring_announced(tmp_path_factory):
    """The app warns once per process when this machine has no keyring; let it do so before the first test.

    Otherwise that warning lands in whichever test happens to open a credential store first. The tests of
    the warning itself (tests/core/test_credentials.py) reset the once-per-process memory and declare it.
    """
    from studio_desktop.core.credentials import CredentialStore

    CredentialStore(service="studio-desktop-tests", secrets_file=tmp_path_factory.mktemp("keyring") / "secrets.json")


@pytest.fixture(autouse=True)
def fail_on_unexpected_logs():
    """A WARNING or worse log record the test did not declare with ``caplog.at_level`` fails it."""
    handler = LogFailHandler()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
    unexpected = handler.take()
    if unexpected:
        pytest.fail(describe(unexpected), pytrace=False)


@pytest.fixture(autouse=True)
def app_paths(tmp_path, monkeypatch):
    """Redirect every folder the app writes to into this test's tmp folder."""
    root = tmp_path / "app"
    monkeypatch.setenv(paths.DATA_DIR_ENV, str(root))
    configured = paths.configure(root).ensure()
    yield configured
    paths.configure(None)


@pytest.fixture
def sandbox_factory(tmp_path):
    """Start sandbox studios on free loopback ports; all are stopped after the test."""
    from studio_desktop.sandbox.server import SandboxServer

    started: list[SandboxServer] = []

    def start(seed: str = "demo", name: str = "sandbox", **kwargs) -> SandboxServer:
        server = SandboxServer(tmp_path / name, seed=seed, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory):
    """A fresh sandbox studio seeded with the demo data."""
    return sandbox_factory("demo")


@pytest.fixture
def empty_sandbox(sandbox_factory):
    """A fresh sandbox studio with one brand and nothing else."""
    return sandbox_factory("empty", name="empty-sandbox")
