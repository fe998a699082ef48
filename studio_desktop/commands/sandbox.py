"""`studio-desktop sandbox`: run the sandbox studio in the foreground for manual testing.

Its data lives in the app's data folder (``--data-dir`` moves it, as for every
command), so the GUI started with ``--sandbox --data-dir D`` sees the same studio.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from typing import TYPE_CHECKING

from studio_desktop.core import config, paths
from studio_desktop.sandbox.faults import DEFAULT_STATUSES

if TYPE_CHECKING:
    from studio_desktop.sandbox.server import SandboxServer


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run the embedded sandbox studio (ShootProof and Pixieset) until Ctrl-C",
        description="Run the sandbox studio on 127.0.0.1 in the foreground and print how to reach it.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    parser.add_argument(
        "--seed",
        choices=("demo", "empty"),
        default="demo",
        help="starting data for a new (or --reset) studio (default: demo)",
    )
    parser.add_argument("--reset", action="store_true", help="delete the sandbox studio's data and seed it again")
    faults = parser.add_argument_group("fault injection (ShootProof /v2 only)")
    faults.add_argument(
        "--fault-rate", type=float, default=0.0, metavar="R", help="share of calls that fail, 0..1 (default 0)"
    )
    faults.add_argument(
        "--fault-statuses",
        default=",".join(map(str, DEFAULT_STATUSES)),
        metavar="LIST",
        help="HTTP statuses a failure picks from (default %(default)s)",
    )
    faults.add_argument(
        "--fault-reset-share",
        type=float,
        default=0.0,
        metavar="S",
        help="share of failures that drop the connection instead (default 0)",
    )
    faults.add_argument(
        "--fault-after-share",
        type=float,
        default=0.5,
        metavar="S",
        help="share of 5xx/resets that happen after the call took effect (default 0.5)",
    )
    faults.add_argument(
        "--fault-latency", type=float, default=0.0, metavar="SECONDS", help="delay added to every call (default 0)"
    )
    faults.add_argument(
        "--fault-methods",
        default="",
        metavar="LIST",
        help="only these methods, e.g. sp.photo.upload,sp.event.photo_exists (default: all)",
    )
    faults.add_argument("--fault-seed", type=int, default=None, help="seed for a repeatable fault sequence")
    config.add_arguments(parser, subcommand=True)
    parser.set_defaults(run=run)


def _configure_faults(server: SandboxServer, args: argparse.Namespace) -> bool:
    if args.fault_rate <= 0 and args.fault_latency <= 0:
        return False
    methods = [m for m in args.fault_methods.replace(" ", "").split(",") if m] or None
    statuses = [int(s) for s in args.fault_statuses.replace(" ", "").split(",") if s]
    server.faults.configure(
        rate=args.fault_rate,
        statuses=statuses,
        reset_share=args.fault_reset_share,
        after_share=args.fault_after_share,
        latency=args.fault_latency,
        only_methods=methods,
        seed=args.fault_seed,
    )
    return True


def run(args: argparse.Namespace) -> int:
    from studio_desktop.sandbox.server import SandboxServer

    data_dir = paths.current().sandbox_dir
    try:
        server = SandboxServer(data_dir, port=args.port, seed=args.seed, reset=args.reset)
    except (OSError, ValueError) as exc:
        print(f"The sandbox studio cannot open its data in {data_dir}: {exc}", file=sys.stderr)
        return 1
    try:
        if _configure_faults(server, args):
            print(f"Fault injection: {server.faults!r}")
    except ValueError as exc:
        print(f"Invalid fault settings: {exc}", file=sys.stderr)
        server.stop()
        return 2
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        print(f"The sandbox studio cannot start on port {args.port}: {exc}", file=sys.stderr)
        return 1

    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        print(f"Sandbox studio running (data in {data_dir})")
        print(f"  ShootProof API:  {server.shootproof_api_url}")
        print(f"  OAuth authorize: {server.oauth_url}/new")
        print(f"  OAuth token:     {server.oauth_url}/token")
        print(f"  Pixieset API:    {server.pixieset_api_url}")
        print(f"  Studio home:     {server.home_url}")
        print(f"  Demo access token:     {server.access_token}")
        print(f"  Demo Pixieset cookie:  {server.pixieset_cookie}")
        print("Point the app at it with:")
        print(
            f"  {config.ENV_API_URL}={server.shootproof_api_url} {config.ENV_OAUTH_URL}={server.oauth_url} "
            f"{config.ENV_PIXIESET_URL}={server.pixieset_api_url}"
        )
        print("Press Ctrl-C to stop.", flush=True)
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.stop()
        print("Sandbox studio stopped.", flush=True)
    return 0
