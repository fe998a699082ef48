"""A longer run of the model-based tests: more seeds, examples and steps than CI, full shrinking.

    .venv/bin/python tests/benchmarks/bench_model.py [--seeds 1,2,3] [--examples 30] [--steps 20]
        [--machines EngineModel,EngineModelUnderFaults,EngineModelKilled,WatcherModel,MovingWatcherModel]
        [--shrink-seconds 300] [--no-shrink]

Each machine runs once per seed (Hypothesis seeded from Python's ``random``, so
a seed is repeatable as far as the code under test is). For each run it prints
the machine, seed, size, how often each step ran, the wall time, and the
outcome; a failure comes with the shortest plan Hypothesis found and the
broken invariant. The exit code is 1 if any run failed.

The CI-size tests (tests/uploads/test_engine_model.py, test_watcher_model.py)
are the same machines with fixed seeds (``derandomize``) and small sizes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1])]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hypothesis import Phase, settings  # noqa: E402
from hypothesis.internal.conjecture import engine as hypothesis_engine  # noqa: E402
from hypothesis.stateful import run_state_machine_as_test  # noqa: E402
from uploads import test_engine_model, test_watcher_model  # noqa: E402
from uploads.model_support import STATS  # noqa: E402

from studio_desktop.core import paths  # noqa: E402
from studio_desktop.sandbox.server import SandboxServer  # noqa: E402

MACHINES = {
    "EngineModel": test_engine_model.EngineModel,
    "EngineModelUnderFaults": test_engine_model.EngineModelUnderFaults,
    "EngineModelKilled": test_engine_model.EngineModelKilled,
    "WatcherModel": test_watcher_model.WatcherModel,
    "MovingWatcherModel": test_watcher_model.MovingWatcherModel,
}


def run_one(name: str, seed: int, args: argparse.Namespace, server: SandboxServer) -> bool:
    machine = MACHINES[name]
    phases = [Phase.explicit, Phase.generate] + ([] if args.no_shrink else [Phase.shrink])
    chosen = settings(
        max_examples=args.examples,
        stateful_step_count=args.steps,
        derandomize=False,
        database=None,
        deadline=None,
        suppress_health_check=list(test_engine_model.HealthCheck),
        report_multiple_bugs=False,
        phases=phases,
        print_blob=False,
    )
    STATS.clear()
    random.seed(seed)
    machine.server = server
    began = time.monotonic()
    failure = None
    try:
        run_state_machine_as_test(machine, settings=chosen)
    except BaseException as exc:  # noqa: BLE001 - the report is the point
        if isinstance(exc, KeyboardInterrupt):
            raise
        failure = exc
    finally:
        machine.server = None
        server.faults.clear()
    took = time.monotonic() - began
    steps = ", ".join(f"{k} {v}" for k, v in sorted(STATS.items()))
    outcome = "passed" if failure is None else "FAILED"
    print(f"{name} seed={seed} examples<={args.examples} steps<={args.steps}: {outcome} in {took:.1f} s", flush=True)
    print(f"  steps run (all examples, shrinking included): {steps}", flush=True)
    if failure is not None:
        text = "".join(traceback.format_exception_only(type(failure), failure))
        print("  " + text.replace("\n", "\n  ").rstrip(), flush=True)
    return failure is None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--examples", type=int, default=30)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--machines", default=",".join(MACHINES))
    parser.add_argument("--shrink-seconds", type=int, default=300)
    parser.add_argument("--no-shrink", action="store_true")
    args = parser.parse_args()
    hypothesis_engine.MAX_SHRINKING_SECONDS = args.shrink_seconds
    seeds = [int(s) for s in args.seeds.split(",") if s]
    names = [n for n in args.machines.split(",") if n]
    results: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix="bench-model-") as tmp:
        os.environ[paths.DATA_DIR_ENV] = str(Path(tmp) / "app")
        paths.configure(None).ensure()
        server = SandboxServer(Path(tmp) / "sandbox", seed="empty").start()
        try:
            for name in names:
                for seed in seeds:
                    results["passed" if run_one(name, seed, args, server) else "failed"] += 1
        finally:
            server.stop()
    print(f"runs: {dict(results)}")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
