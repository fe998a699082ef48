"""Helpers for the upload engine tests: fast retries, events made as another app would, a running engine."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path

from imagegen import make_jpeg

from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import RetryPolicy
from studio_desktop.uploads.engine import EngineTiming, UploadEngine
from studio_desktop.uploads.records import queue as q

FAST_RETRY = RetryPolicy(max_attempts=4, base_delay=0.005, max_delay=0.02, total_time=20)
FAST = EngineTiming(
    max_attempts=6,
    base_delay=0.005,
    max_delay=0.02,
    probe_delay=0.05,
    probe_max_delay=0.2,
    probe_timeout=2.0,
    landing_grace=0.2,
)


def client_for(server, token=None) -> ShootProofClient:
    return ShootProofClient(server.shootproof_api_url, token or server.access_token, retry=FAST_RETRY)


def new_event(server, name: str = "Smith Wedding") -> int:
    async def create() -> int:
        async with client_for(server) as client:
            return (await client.event_create(name)).id

    return asyncio.run(create())


@contextlib.asynccontextmanager
async def running(server, store, *, token=None, start=True, **options):
    """An engine on a fresh client; yields (engine, events seen)."""
    async with engine_on(client_for(server, token), store, start=start, **options) as running_engine:
        yield running_engine


@contextlib.asynccontextmanager
async def engine_on(client, store, *, start=True, totals_agree=True, **options):
    """An engine on ``client`` (closed after); yields (engine, events seen).

    ``totals_agree``: check at the end that the engine's running totals agree with the store
    (not so for two runs sharing one store, which move items between their batches).
    """
    options.setdefault("timing", FAST)
    engine = UploadEngine(client, store, **options)
    seen: list = []
    engine.subscribe(seen.append)
    if start:
        await engine.start()
    try:
        yield engine, seen
    finally:
        await engine.stop()
        await client.aclose()
    if totals_agree:
        # Whatever happened, the engine's running totals agree with the store.
        in_store = store.read_sync(q.counts, engine._scope)
        assert engine.snapshot().files == {state: files for state, (files, _) in in_store.items()}
        assert engine.snapshot().bytes == {state: size for state, (_, size) in in_store.items()}


def photos(folder: Path, count: int, prefix: str = "IMG_") -> list[Path]:
    return [make_jpeg(folder / f"{prefix}{i:04d}.jpg", size=(32 + i % 7, 24)) for i in range(count)]


def items_of(store, **filters) -> list[q.Item]:
    return list(q.iter_items(store, **filters))


async def until(predicate, timeout: float = 20.0) -> None:
    """Wait for something the test cannot await directly (a state reached mid-run)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0.01)
