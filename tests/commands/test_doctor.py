"""`studio-desktop doctor` against the sandbox (nothing to report) and against a deliberately odd server.

The odd server is a real HTTP server in front of the sandbox that renames keys,
sends strings for numbers, adds keys and changes an array into an object, the
kinds of drift a real account could show. The report must name each difference
by key path and type, and hold no value: no names, no URLs, no token.
"""

from __future__ import annotations

import json
import subprocess
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from command_support import command_env, command_line

from studio_desktop.api.answer_shapes import ANSWERS

PERSONAL_KEYS = {
    "name",
    "first_name",
    "last_name",
    "password",
    "view_url",
    "homepage_url",
    "subdomain",
    "custom_domain",
    "email",
    "event_name",
    "url",
    "large",
    "x_large",
    "cover_photo_url",
    "original",
}


def doctor(api_url: str, token: str, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command_line_for(api_url, "doctor", *extra),
        env=command_env(STUDIO_DESKTOP_ACCESS_TOKEN=token),
        capture_output=True,
        text=True,
        timeout=120,
    )


def command_line_for(api_url: str, *args: str) -> list[str]:
    class Target:
        shootproof_api_url = api_url

    return command_line(Target, *args)


def test_the_sandbox_answers_exactly_as_the_app_expects(sandbox):
    done = doctor(sandbox.shootproof_api_url, sandbox.access_token, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["clean"] is True
    assert set(report["checked"]) == set(ANSWERS)  # every method, the demo studio has events and albums
    assert report["differences"] == [] and report["failed_calls"] == [] and report["not_checked"] == []
    assert "Every answer looked as expected." in done.stderr


def _mutate(method: str, answer: dict[str, Any]) -> dict[str, Any]:
    if method == "sp.event.get_list":
        for event in answer["events"]:
            event["event_name"] = event.pop("name")
            event["id"] = str(event["id"])
            event.pop("photo_count")
            event["internal_rank"] = 3
    elif method == "sp.studio.info":
        answer["plan"]["used"] = str(answer["plan"]["used"])
        answer["account_flags"] = {"beta": True}
        answer["owner@example.com"] = "a key that is data"
    elif method == "sp.event.info":
        answer["event"]["status"] = 1
    elif method == "sp.album.get_list":
        answer["albums"] = {str(album["id"]): album for album in answer["albums"]}
    return answer


class OddServer:
    """A proxy in front of the sandbox that bends its answers; remembers every value it passed on."""

    def __init__(self, upstream: str):
        self.upstream = upstream
        self.values: set[str] = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = urlsplit(self.path).query
                with urllib.request.urlopen(f"{outer.upstream}?{query}") as response:
                    answer = json.loads(response.read())
                outer._remember(answer)
                method = parse_qs(query).get("method", [""])[0]
                body = json.dumps(_mutate(method, answer)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v2"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def _remember(self, value: Any, key: str = "") -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                self._remember(v, k)
        elif isinstance(value, list):
            for v in value:
                self._remember(v, key)
        elif isinstance(value, str) and key in PERSONAL_KEYS and len(value) >= 4:
            self.values.add(value)


@pytest.fixture
def odd_server(sandbox):
    server = OddServer(sandbox.shootproof_api_url)
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_an_odd_server_is_reported_by_key_path_and_type_without_any_value(sandbox, odd_server):
    done = doctor(odd_server.url, sandbox.access_token)
    assert done.returncode == 1, done.stdout + done.stderr
    out = done.stdout
    for line in (
        "sp.event.get_list: events[].id is str, expected int",
        "sp.event.get_list: events[].name is missing",
        "sp.event.get_list: events[].photo_count is missing",
        "sp.event.get_list: events[].event_name is a key the app does not know (str)",
        "sp.event.get_list: events[].internal_rank is a key the app does not know (int)",
        "sp.studio.info: plan.used is str, expected int",
        "sp.studio.info: account_flags is a key the app does not know (object)",
        "sp.studio.info: <key> is a key the app does not know (str)",
        "sp.event.info: event.status is int, expected str",
        "sp.album.get_list: albums is object, expected array",
    ):
        assert line in out, line
    assert "please send them" in out
    assert "Traceback" not in done.stderr
    assert odd_server.values  # the answers did hold names and URLs...
    leaked = {value for value in odd_server.values if value in out + done.stderr}
    assert leaked == set()  # ...and none reached the report
    assert sandbox.access_token not in out + done.stderr
    assert "owner@example.com" not in out


def test_a_refused_token_is_one_sentence(sandbox):
    done = doctor(sandbox.shootproof_api_url, "not-a-token")
    assert done.returncode == 2
    assert done.stderr.startswith("studio-desktop doctor: ShootProof did not accept the access token")
    assert "Traceback" not in done.stderr
