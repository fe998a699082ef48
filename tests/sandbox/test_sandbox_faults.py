"""Fault injection: the mix asked for, before or after the handler, resets the client sees as network errors."""

from __future__ import annotations

import io
import logging
import time
from collections import Counter

import httpx
import pytest

from studio_desktop.sandbox.faults import Fault, Faults, settings_from_env


def test_faults_decide_the_configured_mix_repeatably():
    def run(seed):
        faults = Faults()
        faults.configure(rate=0.3, statuses=(500, 503, 429), reset_share=0.25, after_share=0.5, seed=seed)
        return [faults.decide("sp.event.info") for _ in range(2000)], faults

    decisions, faults = run(11)
    assert decisions == run(11)[0]
    injected = [d for d in decisions if d is not None]
    assert 0.25 < len(injected) / 2000 < 0.35
    resets = [d for d in injected if d.reset]
    assert 0.18 < len(resets) / len(injected) < 0.32
    after = [d for d in injected if d.after]
    assert all(d.status is None or d.status >= 500 for d in after)
    assert not any(d.after for d in injected if d.status == 429)
    assert 0.3 < len(after) / len([d for d in injected if d.status != 429]) < 0.7
    assert faults.injected == len(injected) and faults.calls_seen == 2000
    assert sum(faults.counts.values()) == len(injected)
    assert faults.counts["429/before"] == sum(1 for d in injected if d.status == 429)
    assert len(faults.log) == len(injected)


def test_queued_faults_come_first_and_in_order():
    faults = Faults()
    faults.queue(503, method="sp.photo.upload")
    faults.queue(reset=True, after=True, times=2)
    assert faults.decide("sp.studio.info") == Fault(None, after=True)
    assert faults.decide("sp.photo.upload") == Fault(503)
    assert faults.decide("sp.photo.upload") == Fault(None, after=True)
    assert faults.decide("sp.photo.upload") is None
    assert faults.counts == {"503/before": 1, "reset/after": 2}
    faults.clear()
    assert faults.counts == {} and faults.decide("x") is None


@pytest.mark.parametrize(
    "kwargs", [{"rate": 1.5}, {"statuses": (404,)}, {"rate": 0.5, "statuses": ()}, {"latency": -1}]
)
def test_configure_refuses_nonsense(kwargs):
    with pytest.raises(ValueError):
        Faults().configure(**kwargs)


def test_queue_refuses_nonsense():
    faults = Faults()
    with pytest.raises(ValueError):
        faults.queue()
    with pytest.raises(ValueError):
        faults.queue(429, after=True)
    with pytest.raises(ValueError):
        faults.queue(500, reset=True)


def test_settings_from_environment():
    env = {
        "STUDIO_DESKTOP_SANDBOX_FAULT_RATE": "0.2",
        "STUDIO_DESKTOP_SANDBOX_FAULT_STATUSES": "500, 429",
        "STUDIO_DESKTOP_SANDBOX_FAULT_METHODS": "sp.photo.upload,sp.event.photo_exists",
        "STUDIO_DESKTOP_SANDBOX_FAULT_SEED": "4",
        "STUDIO_DESKTOP_SANDBOX_FAULT_LATENCY": "",
    }
    assert settings_from_env(env) == {
        "rate": 0.2,
        "statuses": [500, 429],
        "seed": 4,
        "only_methods": ["sp.photo.upload", "sp.event.photo_exists"],
    }
    faults = Faults()
    assert faults.configure_from_env(env) and not faults.applies_to("sp.studio.info")
    assert faults.applies_to("sp.photo.upload")
    with pytest.raises(ValueError, match="FAULT_RATE"):
        settings_from_env({"STUDIO_DESKTOP_SANDBOX_FAULT_RATE": "lots"})


def test_sandbox_reads_fault_settings_from_the_environment(monkeypatch, sandbox_factory):
    monkeypatch.setenv("STUDIO_DESKTOP_SANDBOX_FAULT_RATE", "1")
    monkeypatch.setenv("STUDIO_DESKTOP_SANDBOX_FAULT_STATUSES", "502")
    server = sandbox_factory("empty")
    response = httpx.get(
        server.shootproof_api_url, params={"method": "sp.studio.info", "access_token": server.access_token}
    )
    assert response.status_code == 502


def _upload(sp, jpeg, name):
    return sp.post(
        "sp.photo.upload", files={"photo": (name, io.BytesIO(jpeg()), "image/jpeg")}, event_id=sp.ids["event_empty"]
    )


def test_429_comes_before_the_handler_with_retry_after(sp, jpeg):
    sp.studio.faults.configure(rate=1, statuses=(429,), retry_after=3)
    response = _upload(sp, jpeg, "a.jpg")
    assert response.status_code == 429 and response.headers["retry-after"] == "3"
    assert response.json()["stat"] == "fail" and response.json()["code"] == 429
    assert sp.studio.count_photos(sp.ids["event_empty"]) == 0
    assert sp.studio.calls[-1].fault == "429/before"
    assert not list(sp.studio.storage.incoming.iterdir())


def test_proxy_errors_are_html(sp):
    sp.studio.faults.queue(503)
    response = sp.get("sp.studio.info")
    assert response.status_code == 503 and response.headers["content-type"].startswith("text/html")
    assert "Retry-After" in response.headers and "<h1>503" in response.text
    sp.studio.faults.queue(502)
    assert sp.get("sp.studio.info").status_code == 502
    assert sp.get("sp.studio.info").status_code == 200


def test_a_5xx_after_the_handler_loses_the_answer_but_the_upload_landed(sp, jpeg):
    sp.studio.faults.queue(500, after=True, method="sp.photo.upload")
    response = _upload(sp, jpeg, "landed.jpg")
    assert response.status_code == 500 and response.json()["stat"] == "fail"
    assert sp.studio.count_photos(sp.ids["event_empty"]) == 1
    assert sp.ok("sp.event.photo_exists", event_id=sp.ids["event_empty"], photo_name="landed.jpg")["photo_exists"]
    assert sp.studio.calls[-2].status == 200 and sp.studio.calls[-2].fault == "500/after"


def test_a_reset_after_the_handler_is_a_network_error_but_the_upload_landed(sp, jpeg, caplog):
    sp.studio.faults.queue(reset=True, after=True, method="sp.photo.upload")
    with caplog.at_level(logging.WARNING), pytest.raises(httpx.TransportError):
        _upload(sp, jpeg, "silent.jpg")
    assert sp.studio.count_photos(sp.ids["event_empty"]) == 1
    assert not [r for r in caplog.records if r.name.startswith("uvicorn")]
    assert sp.ok("sp.studio.info")["plan"]["used"] == 262


def test_a_reset_before_the_handler_changes_nothing(sp, jpeg):
    sp.studio.faults.queue(reset=True)
    with pytest.raises(httpx.TransportError):
        _upload(sp, jpeg, "lost.jpg")
    assert sp.studio.count_photos(sp.ids["event_empty"]) == 0
    assert _upload(sp, jpeg, "next.jpg").status_code == 200


def test_only_methods_limits_the_faults(sp):
    sp.studio.faults.configure(rate=1, statuses=(500,), after_share=0, only_methods=["sp.photo.upload"])
    assert sp.get("sp.studio.info").status_code == 200
    assert sp.studio.faults.injected == 0


def test_latency_delays_matching_calls(sp):
    sp.studio.faults.configure(latency=0.2, only_methods="sp.studio.info")
    started = time.monotonic()
    assert sp.get("sp.studio.info").status_code == 200
    assert time.monotonic() - started >= 0.2
    assert sp.studio.faults.calls_seen == 1


def test_the_mix_seen_over_http_matches_the_counters(sp):
    faults = sp.studio.faults
    faults.configure(rate=0.5, statuses=(500, 503, 429), reset_share=0.2, after_share=0.5, seed=3)
    seen: Counter[str] = Counter()
    for _ in range(120):
        try:
            seen[str(sp.get("sp.event.get_list", limit=1).status_code)] += 1
        except httpx.TransportError:
            seen["reset"] += 1
    counts = faults.counts
    assert seen["reset"] == counts.get("reset/before", 0) + counts.get("reset/after", 0) > 0
    for status in ("500", "503", "429"):
        assert seen[status] == counts.get(f"{status}/before", 0) + counts.get(f"{status}/after", 0) > 0
    assert seen["200"] == 120 - faults.injected
    assert 40 < faults.injected < 80
    assert counts.get("500/after", 0) + counts.get("503/after", 0) + counts.get("reset/after", 0) > 0
    assert sp.studio.count_requests("sp.event.get_list") == 120
