"""The ``/v2`` endpoint: read the request, inject faults, check the token, dispatch, answer.

Every call goes one way: parse (streaming uploads to disk) -> record -> fault
decided *before* -> token, verb, scope and required parameters -> handler in a
worker thread -> fault decided *after* (the handler committed; its answer is
lost) -> JSON. A connection reset starts a response and then drops the
connection, so the client sees a network error and never a complete answer.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from studio_desktop.sandbox.faults import Fault, Faults
from studio_desktop.sandbox.params import BodyStream, ClientGone, Payload, PayloadError, read_payload
from studio_desktop.sandbox.registry import REGISTRY, ApiFail, Call, MethodSpec
from studio_desktop.sandbox.shapes import Urls
from studio_desktop.sandbox.state import StudioState

log = logging.getLogger(__name__)

REQUEST_LOG_SIZE = 10_000


class InjectedReset(Exception):
    """Raised after a response has started, so that uvicorn drops the connection."""


class _DropInjectedResets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], InjectedReset))


_reset_filter = _DropInjectedResets()


def quiet_injected_resets() -> None:
    """uvicorn logs every exception that ends a response; injected resets are not errors."""
    logger = logging.getLogger("uvicorn.error")
    if _reset_filter not in logger.filters:
        logger.addFilter(_reset_filter)


@dataclass
class CallRecord:
    method: str
    verb: str
    status: int | None = None
    fault: str | None = None


class RequestLog:
    """The last ``REQUEST_LOG_SIZE`` calls to ``/v2``, in arrival order. Thread-safe."""

    def __init__(self) -> None:
        self._records: deque[CallRecord] = deque(maxlen=REQUEST_LOG_SIZE)
        self._lock = threading.Lock()

    def add(self, method: str, verb: str) -> CallRecord:
        record = CallRecord(method, verb)
        with self._lock:
            self._records.append(record)
        return record

    def records(self) -> list[CallRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


def fail_response(fail: ApiFail) -> JSONResponse:
    return JSONResponse(fail.body(), status_code=fail.status, headers=fail.headers)


class ShootProofApi:
    """The ASGI app mounted at ``/v2``."""

    def __init__(self, state: StudioState, faults: Faults, requests: RequestLog):
        self.state = state
        self.faults = faults
        self.requests = requests

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = BodyStream(receive)
        verb = request.method
        payload: Payload | None = None
        try:
            if verb not in ("GET", "POST"):
                await body.drain()
                self.requests.add(request.query_params.get("method", ""), verb)
                await fail_response(
                    ApiFail(405, "Only GET and POST requests are supported.", headers={"Allow": "GET, POST"})
                )(scope, receive, send)
                return
            try:
                payload = await read_payload(request, body, self.state.storage.incoming, self.state.max_upload_bytes)
            except PayloadError as exc:
                await body.drain()
                self.requests.add(request.query_params.get("method", ""), verb).status = 400
                await fail_response(ApiFail(400, f"The request cannot be read: {exc}"))(scope, receive, send)
                return
            method = payload.params.get("method", "").strip()
            record = self.requests.add(method, verb)
            fault = self.faults.decide(method)
            if self.faults.applies_to(method) and (latency := self.faults.latency) > 0:
                await anyio.sleep(latency)
            if fault is not None and not fault.after:
                record.fault, record.status = fault.label, fault.status
                await anyio.to_thread.run_sync(payload.cleanup)
                await self._inject(fault, scope, receive, send)
                return
            status, content, headers = await anyio.to_thread.run_sync(
                self._execute, method, verb, payload, str(request.base_url)
            )
            record.status = status
            if fault is not None:
                record.fault = fault.label
                await self._inject(fault, scope, receive, send)
                return
            await JSONResponse(content, status_code=status, headers=headers)(scope, receive, send)
        except ClientGone:
            return
        finally:
            if payload is not None:
                payload.cleanup()  # for a client that left mid-way; normally already done

    def _execute(
        self, method: str, verb: str, payload: Payload, base_url: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        try:
            spec = self._spec(method)
            token = self.state.tokens.check(payload.params.get("access_token"))
            if spec.post_only and verb != "POST":
                raise ApiFail(405, f"{method} can only be used over HTTP POST.", headers={"Allow": "POST"})
            if not token.allows(method):
                raise ApiFail(403, f"This access token was not granted the {method} scope.")
            missing = [name for name in spec.required if not _present(payload, name)]
            if missing:
                raise ApiFail(
                    400,
                    f"Missing required parameters: {', '.join(missing)}.",
                    validation_errors={name: [f"The {name} parameter is required."] for name in missing},
                )
            call = Call(
                method=method,
                verb=verb,
                params=payload.params,
                state=self.state,
                urls=Urls(base_url, self.state.signer),
                token=token,
                files=payload.files,
                json_body=payload.json_body,
                json_error=payload.json_error,
            )
            result: dict[str, Any] = spec.handler(call)
            return 200, {"stat": "ok", **result}, {}
        except ApiFail as fail:
            return fail.status, fail.body(), fail.headers
        except Exception:
            log.exception("sandbox handler for %s failed", method)
            return 500, {"stat": "fail", "code": 500, "msg": "Internal server error."}, {}
        finally:
            # Before answering: once the client has its answer, nothing of its upload is left behind.
            payload.cleanup()

    @staticmethod
    def _spec(method: str) -> MethodSpec:
        if not method:
            raise ApiFail(
                400,
                "The method parameter is required.",
                validation_errors={"method": ["The method parameter is required."]},
            )
        spec = REGISTRY.get(method)
        if spec is None:
            raise ApiFail(400, f"Unknown method: {method[:100]}.")
        return spec

    async def _inject(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        status = fault.status
        if status is None:  # a connection reset
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"1024")],
                }
            )
            await send({"type": "http.response.body", "body": b'{"stat":"ok",', "more_body": True})
            raise InjectedReset()
        retry = {"Retry-After": str(self.faults.retry_after)}
        if status == 429:
            response: Response = JSONResponse(
                {"stat": "fail", "code": 429, "msg": "Too many requests: slow down."}, status_code=429, headers=retry
            )
        elif status in (502, 503, 504):
            title = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}[status]
            html = f"<html><head><title>{status} {title}</title></head><body><h1>{status} {title}</h1></body></html>"
            response = Response(
                html, status_code=status, media_type="text/html", headers=retry if status == 503 else None
            )
        elif status == 408:
            response = Response("Request Timeout", status_code=408, media_type="text/plain")
        else:
            response = JSONResponse(
                {"stat": "fail", "code": status, "msg": "Internal server error."}, status_code=status
            )
        await response(scope, receive, send)


def _present(payload: Payload, name: str) -> bool:
    if name in payload.files:
        return True
    return bool((payload.params.get(name) or "").strip())
