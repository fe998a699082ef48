"""Async client of the Pixieset Studio clients API (unofficial, session-cookie based).

Pixieset has no public API: the web app's own JSON endpoints answer when a
request carries the browser's session cookie and ``X-Requested-With:
XMLHttpRequest``. The user pastes that cookie once; it is a password in all
but name, so it goes into a request's ``Cookie`` header and nowhere else: not
into logs, reprs, exceptions or URLs, and never to another host (the CSV
export URL comes from the server and is checked first).

Reads are retried on transient failures with backoff and jitter. Writes are
retried only when the request surely never reached Pixieset (a connection
that could not be opened, or a 429 refusal), so a retry cannot create a
second client.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import httpx

from studio_desktop.api.limits import PIXIESET_MAX_PAGE_SIZE
from studio_desktop.api.pixieset_errors import (
    PixiesetAuthError,
    PixiesetBadResponseError,
    PixiesetError,
    PixiesetNotFoundError,
    PixiesetTransientError,
    PixiesetValidationError,
)
from studio_desktop.api.pixieset_models import (
    CLIENT_TYPES,
    AddressInfo,
    Client,
    ClientDraft,
    ClientPage,
    Collection,
    Document,
    Page,
    page_numbers,
    parse_statuses,
)

log = logging.getLogger(__name__)

T = TypeVar("T")
CookieProvider = Callable[[], "str | Awaitable[str | None] | None"]
"""Returns the current session cookie (``name=value``), e.g. read from the keyring on each call."""

_RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to retry. ``attempts`` counts the first try.

    The n-th retry waits ``base_delay * 2**n`` capped at ``max_delay``, spread by
    ``jitter`` (a fraction either way) so that many clients do not retry in step;
    a server's Retry-After wins when it is longer. A Retry-After beyond
    ``max_retry_after`` is not waited for: the error is raised with the hint.
    """

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.25
    max_retry_after: float = 60.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    rng: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, retry: int, retry_after: float | None = None) -> float | None:
        """Seconds to wait before retry number ``retry`` (0-based), or None to give up waiting."""
        if retry_after is not None and retry_after > self.max_retry_after:
            return None
        backoff = min(self.max_delay, self.base_delay * (2.0**retry))
        backoff *= 1 + self.jitter * (2 * self.rng() - 1)
        return max(0.0, backoff, retry_after or 0.0)


FAST_RETRY = RetryPolicy(base_delay=0.0, max_delay=0.0, jitter=0.0, max_retry_after=0.0)
"""For tests: retry at once, and treat any Retry-After as too long to wait."""


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _field_errors(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, Mapping):
        return {}
    errors: dict[str, list[str]] = {}
    for name, messages in value.items():
        if isinstance(messages, str):
            errors[str(name)] = [messages]
        elif isinstance(messages, list):
            errors[str(name)] = [str(message) for message in messages]
    return errors


def _looks_like_html(response: httpx.Response) -> bool:
    content_type = response.headers.get("content-type", "").lower()
    return "html" in content_type or response.content[:200].lstrip().startswith(b"<")


def _types_value(types: str | Iterable[str] | None, *, allow_all: bool) -> str | None:
    if types is None:
        return None
    parts = [part.strip() for part in (types.split(",") if isinstance(types, str) else types) if part.strip()]
    allowed = (*CLIENT_TYPES, "all") if allow_all else CLIENT_TYPES
    unknown = [part for part in parts if part not in allowed]
    if unknown:
        raise ValueError(f"unknown client type {unknown[0]!r}: use one of {', '.join(allowed)}")
    return ",".join(parts) or None


def _check_page(page: int, size: int | None = None, size_name: str = "page size") -> None:
    if page < 1:
        raise ValueError("page numbers start at 1")
    if size is not None and not 1 <= size <= PIXIESET_MAX_PAGE_SIZE:
        raise ValueError(f"{size_name} must be between 1 and {PIXIESET_MAX_PAGE_SIZE}")


class PixiesetClient:
    """Pixieset Studio's clients API. One ``httpx.AsyncClient`` serves every call.

    ``cookie`` is the session cookie (``name=value``, as copied from the
    browser) or a :data:`CookieProvider` asked before each call. ``http`` lets
    the app share one AsyncClient; the client closes only one it made itself.
    """

    def __init__(
        self,
        base_url: str,
        cookie: str | CookieProvider,
        *,
        http: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = None,
        timeout: float = 30.0,
    ):
        self.base_url = base_url.rstrip("/")
        self._cookie = cookie
        self._retry = retry or RetryPolicy()
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)))
        self._origin = httpx.URL(self.base_url + "/")

    def __repr__(self) -> str:
        return f"PixiesetClient(base_url={self.base_url!r}, cookie=<hidden>)"

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> PixiesetClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- clients --------------------------------------------------------------------------
    async def list_clients(
        self, types: str | Iterable[str] | None = None, page: int = 1, per_page: int = 25
    ) -> ClientPage:
        """One page of people, newest first; ``types`` like ``"client"`` or ``["client", "lead"]``."""
        _check_page(page, per_page, "per_page")
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        types_value = _types_value(types, allow_all=False)
        if types_value:
            params["types"] = types_value
        body = await self._get_json("/clients/", params)
        return self._client_page(body, "GET /clients/", page=page, per_page=per_page)

    async def iter_clients(
        self, types: str | Iterable[str] | None = None, per_page: int = PIXIESET_MAX_PAGE_SIZE
    ) -> AsyncIterator[Client]:
        """Every person on every page, each once even if the list shifts while paging."""
        seen: set[str] = set()
        page = 1
        while True:
            result = await self.list_clients(types, page=page, per_page=per_page)
            fresh = 0
            for client in result.items:
                if client.id not in seen:
                    seen.add(client.id)
                    fresh += 1
                    yield client
            # A page with nothing new means the server keeps answering the same page: stop.
            if not fresh or page >= result.last_page:
                return
            page += 1

    async def search_clients(
        self, q: str, types: str | Iterable[str] | None = "all", page: int = 1, page_size: int = 25
    ) -> ClientPage:
        """People whose name, email, phone or company matches ``q``."""
        _check_page(page, page_size, "page_size")
        params: dict[str, Any] = {
            "q": q,
            "types": _types_value(types, allow_all=True) or "all",
            "page": page,
            "pageSize": page_size,
        }
        body = await self._get_json("/clients/search", params)
        return self._client_page(body, "GET /clients/search", page=page, per_page=page_size)

    async def get_client(self, client_id: str) -> Client:
        path = self._client_path(client_id)
        body = await self._get_json(path, None, not_found=f"Pixieset has no client with id {client_id}.")
        return self._parse(lambda: Client.from_json(body.get("data")), f"GET {path}")

    async def create_client(self, draft: ClientDraft | Mapping[str, Any] | None = None, **fields: Any) -> Client:
        """Create a client from a draft, a mapping of API fields, or keyword fields.

        Not retried once the request may have reached Pixieset: on a
        :class:`PixiesetTransientError` with ``maybe_applied`` look the person
        up before trying again.
        """
        payload = self._payload(draft, fields, creating=True)
        body = await self._send_json("POST", "/clients/", payload)
        return self._parse(lambda: Client.from_json(body.get("data")), "POST /clients/")

    async def update_client(
        self, client_id: str, fields: ClientDraft | Mapping[str, Any] | None = None, **more: Any
    ) -> Client:
        """Change a client. A draft sends every field (cleared ones as null); a mapping only its keys."""
        path = self._client_path(client_id)
        payload = self._payload(fields, more, creating=False)
        body = await self._send_json("PUT", path, payload, not_found=f"Pixieset has no client with id {client_id}.")
        return self._parse(lambda: Client.from_json(body.get("data")), f"PUT {path}")

    # -- a client's collections and documents ----------------------------------------------
    async def client_collections(self, client_id: str, page: int = 1, page_size: int = 20) -> Page[Collection]:
        _check_page(page, page_size, "page_size")
        path = self._client_path(client_id) + "/cgCollections/"
        body = await self._get_json(
            path, {"page": page, "page_size": page_size}, not_found=f"Pixieset has no client with id {client_id}."
        )
        return self._page(body, Collection.from_json, f"GET {path}", page=page, per_page=page_size)

    async def client_documents(
        self, client_id: str, page: int = 1, expand: str | Iterable[str] | None = None
    ) -> Page[Document]:
        """Contracts, invoices and quotes; ``expand="gift_card_activities"`` adds those to invoices."""
        _check_page(page)
        path = self._client_path(client_id) + "/documents"
        params: dict[str, Any] = {"page": page}
        if expand:
            params["expand"] = expand if isinstance(expand, str) else ",".join(expand)
        body = await self._get_json(path, params, not_found=f"Pixieset has no client with id {client_id}.")
        return self._page(body, Document.from_json, f"GET {path}", page=page, per_page=15)

    # -- CSV export -----------------------------------------------------------------------------
    async def export_csv(self, dest_path: str | os.PathLike[str], csv_url: str | None = None) -> Path:
        """Download the clients CSV into ``dest_path``, streamed; returns the path.

        ``csv_url`` defaults to the one Pixieset gives in ``meta.csv_url``. The file
        appears whole or not at all: it is written beside the target, then renamed.
        """
        dest = Path(dest_path)
        if csv_url is None:
            csv_url = (await self.list_clients(per_page=1)).csv_url
        url = self._same_origin(csv_url) if csv_url else self._url("/clients/download_csv")
        label = f"GET {url.path}"
        partial = dest.with_name(dest.name + ".part")
        response = await self._send("GET", url, label=label, accept="text/csv", stream=True)
        try:
            content_type = response.headers.get("content-type", "").lower()
            if "html" in content_type or "json" in content_type:
                raise PixiesetBadResponseError(
                    "Pixieset answered the CSV export with something other than a CSV file; "
                    "your session may have ended.",
                    method=label,
                    http_status=response.status_code,
                )
            # Chunks are small and land in the page cache; writing them here keeps the stream simple.
            with open(partial, "wb") as out:
                async for chunk in response.aiter_bytes():
                    out.write(chunk)
        except httpx.TransportError:
            failure: PixiesetTransientError | None = PixiesetTransientError(
                "The connection to Pixieset broke during the CSV export.", method=label
            )
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        else:
            failure = None
        finally:
            await response.aclose()
        if failure is not None:
            partial.unlink(missing_ok=True)
            raise failure
        os.replace(partial, dest)
        return dest

    # -- plumbing ---------------------------------------------------------------------------
    def _client_path(self, client_id: str) -> str:
        if not isinstance(client_id, str) or not client_id.strip():
            raise ValueError("a client id is required")
        return "/clients/" + quote(client_id.strip(), safe="")

    def _payload(
        self, base: ClientDraft | Mapping[str, Any] | None, extra: Mapping[str, Any], *, creating: bool
    ) -> dict[str, Any]:
        if isinstance(base, ClientDraft):
            payload = base.to_payload(omit_empty=creating)
        elif base is None:
            payload = {}
        elif isinstance(base, Mapping):
            payload = dict(base)
        else:
            raise TypeError("client fields must be a ClientDraft or a mapping")
        payload.update(extra)
        address = payload.get("address_info")
        if isinstance(address, AddressInfo):
            payload["address_info"] = address.to_payload()
        if "type" in payload and payload["type"] not in CLIENT_TYPES:
            raise ValueError(f"unknown client type {payload['type']!r}: use one of {', '.join(CLIENT_TYPES)}")
        return payload

    def _same_origin(self, url: str) -> httpx.URL:
        """Resolve ``url`` against the API base; refuse another host, so the cookie stays home."""
        target = self._origin.join(url)
        if (target.scheme, target.host, target.port) != (self._origin.scheme, self._origin.host, self._origin.port):
            raise PixiesetBadResponseError(
                f"Pixieset pointed the CSV export at another site ({target.host}); "
                "the session cookie is not sent there."
            )
        return target

    async def _cookie_header(self) -> str:
        value = self._cookie() if callable(self._cookie) else self._cookie
        if inspect.isawaitable(value):
            value = await value
        text = (value or "").strip()
        if text[:7].lower() == "cookie:":
            text = text[7:].strip()
        if not text:
            raise PixiesetAuthError("You are not signed in to Pixieset; sign in first.")
        if any(ord(ch) < 0x20 or ord(ch) > 0x7E for ch in text):
            raise PixiesetAuthError("The saved Pixieset session cookie is not valid; sign in again.")
        return text

    def _url(self, path: str) -> httpx.URL:
        return httpx.URL(self.base_url + path)

    async def _get_json(
        self, path: str, params: Mapping[str, Any] | None, *, not_found: str | None = None
    ) -> Mapping[str, Any]:
        label = f"GET {path}"
        response = await self._send("GET", self._url(path), label=label, params=params, not_found=not_found)
        return self._json(response, label)

    async def _send_json(
        self, method: str, path: str, payload: Mapping[str, Any], *, not_found: str | None = None
    ) -> Mapping[str, Any]:
        label = f"{method} {path}"
        response = await self._send(method, self._url(path), label=label, json_body=payload, not_found=not_found)
        return self._json(response, label)

    async def _send(
        self,
        method: str,
        url: httpx.URL,
        *,
        label: str,
        params: Mapping[str, Any] | None = None,
        json_body: Mapping[str, Any] | None = None,
        not_found: str | None = None,
        accept: str = "application/json",
        stream: bool = False,
    ) -> httpx.Response:
        """Send with retries; a 2xx response (still open when ``stream``) or a typed error."""
        headers = {
            "Cookie": await self._cookie_header(),
            "X-Requested-With": "XMLHttpRequest",
            "Accept": accept,
        }
        write = method not in ("GET", "HEAD")
        retry = 0
        while True:
            error: PixiesetError
            try:
                request = self._http.build_request(method, url, params=params, json=json_body, headers=headers)
                response = await self._http.send(request, stream=True, follow_redirects=False)
                if not (stream and response.is_success):
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
            except _NOT_SENT:
                error = PixiesetTransientError(
                    "Could not connect to Pixieset. Check the internet connection.", method=label
                )
            except httpx.TimeoutException:
                error = PixiesetTransientError("Pixieset took too long to answer.", method=label, maybe_applied=write)
            except (httpx.InvalidURL, httpx.UnsupportedProtocol):
                error = PixiesetError(f"The Pixieset address {self.base_url} is not a valid web address.", method=label)
            except httpx.TransportError as exc:
                error = PixiesetTransientError(
                    f"The connection to Pixieset failed ({type(exc).__name__}).", method=label, maybe_applied=write
                )
            else:
                log.debug("Pixieset %s -> %s", label, response.status_code)
                if response.is_success:
                    return response
                error = self._status_error(response, label, write, not_found)
            if not isinstance(error, PixiesetTransientError) or (write and error.maybe_applied):
                raise error
            delay = self._retry.delay(retry, error.retry_after) if retry + 1 < self._retry.attempts else None
            if delay is None:
                raise error
            retry += 1
            log.info("Pixieset %s failed (%s); retry %d in %.1f s", label, error.msg, retry, delay)
            await self._retry.sleep(delay)

    def _status_error(self, response: httpx.Response, label: str, write: bool, not_found: str | None) -> PixiesetError:
        status = response.status_code
        body: Any = None
        if not _looks_like_html(response):
            try:
                body = response.json()
            except ValueError:
                body = None
        server_message = (
            body.get("message") if isinstance(body, Mapping) and isinstance(body.get("message"), str) else None
        )
        context: dict[str, Any] = {"method": label, "http_status": status}
        if status in (401, 419):
            return PixiesetAuthError(**context)
        if 300 <= status < 400:
            location = response.headers.get("location", "").lower()
            if "login" in location or "signin" in location or "sign-in" in location:
                return PixiesetAuthError(**context)
            return PixiesetBadResponseError(
                "Pixieset redirected the request elsewhere instead of answering it.", **context
            )
        if status == 404:
            return PixiesetNotFoundError(not_found or "Pixieset could not find what was asked for.", **context)
        if status == 422:
            fields = _field_errors(body.get("details") if isinstance(body, Mapping) else None)
            if not fields and isinstance(body, Mapping):
                fields = _field_errors(body.get("errors"))
            return PixiesetValidationError(
                server_message or "Pixieset did not accept the values sent.", field_errors=fields, **context
            )
        if status in _RETRYABLE_STATUSES or (status >= 500 and status not in (501, 505)):
            message = (
                "Pixieset is receiving too many requests; try again shortly."
                if status == 429
                else f"Pixieset is having trouble right now (HTTP {status})."
            )
            # A refusal (429) happens before any work; a 5xx to a write may come after it.
            return PixiesetTransientError(
                message, retry_after=_retry_after(response), maybe_applied=write and status != 429, **context
            )
        if status == 403:
            return PixiesetError(server_message or "Pixieset does not allow this account to do that.", **context)
        return PixiesetError(server_message or f"Pixieset refused the request (HTTP {status}).", **context)

    def _json(self, response: httpx.Response, label: str) -> Mapping[str, Any]:
        if _looks_like_html(response):
            raise PixiesetBadResponseError(
                "Pixieset answered with a web page instead of data; your session may have ended. "
                "Sign in to Pixieset again if this keeps happening.",
                method=label,
                http_status=response.status_code,
            )
        try:
            body = response.json()
        except ValueError:
            raise PixiesetBadResponseError(
                "Pixieset sent an answer that is not valid JSON.", method=label, http_status=response.status_code
            ) from None
        if not isinstance(body, Mapping):
            raise PixiesetBadResponseError(
                "Pixieset sent an answer of an unexpected shape.", method=label, http_status=response.status_code
            )
        return body

    def _parse(self, build: Callable[[], T], label: str) -> T:
        try:
            return build()
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            message = f"Pixieset sent an answer of an unexpected shape ({exc})."
        raise PixiesetBadResponseError(message, method=label)

    def _items(self, body: Mapping[str, Any], label: str) -> list[Any]:
        data = body.get("data")
        if not isinstance(data, list):
            raise PixiesetBadResponseError("Pixieset sent a list without its items.", method=label)
        return data

    def _page(
        self, body: Mapping[str, Any], build: Callable[[Any], T], label: str, *, page: int, per_page: int
    ) -> Page[T]:
        data = self._items(body, label)
        items = self._parse(lambda: tuple(build(item) for item in data), label)
        return Page(items=items, **page_numbers(body, items, page=page, per_page=per_page))

    def _client_page(self, body: Mapping[str, Any], label: str, *, page: int, per_page: int) -> ClientPage:
        data = self._items(body, label)
        items = self._parse(lambda: tuple(Client.from_json(item) for item in data), label)
        raw_meta = body.get("meta")
        meta: Mapping[str, Any] = raw_meta if isinstance(raw_meta, Mapping) else {}
        csv_url = meta.get("csv_url") if isinstance(meta.get("csv_url"), str) else None
        return ClientPage(
            items=items,
            **page_numbers(body, items, page=page, per_page=per_page),
            csv_url=csv_url,
            statuses=parse_statuses(meta.get("client_statuses")),
        )
