"""The sandbox's Pixieset Studio: the clients API behind a session cookie.

Mounted by the sandbox app at ``/pixieset/api/v1``, so routes here are relative
(``/clients/``, ``/clients/search``...). It answers like Pixieset's Laravel
backend: ``{"data": ..., "meta": ...}`` pages, ``401 {"message":
"Unauthenticated."}`` without a valid session cookie or without
``X-Requested-With: XMLHttpRequest``, 404 for unknown ids and ``422
{"message": ..., "details": {field: [messages]}}`` for invalid input.

Tests can queue canned answers with :meth:`PixiesetSandbox.inject` (an HTML
login page, a 503, a 429 with Retry-After...) and read the requests that
arrived in :attr:`PixiesetSandbox.requests`.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import secrets
import threading
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from studio_desktop.sandbox.pixieset_countries import COUNTRIES
from studio_desktop.sandbox.pixieset_demo import random_id, timestamp
from studio_desktop.sandbox.pixieset_store import PixiesetStore

COOKIE_NAME = "pixieset_studio_session"
DB_NAME = "pixieset.sqlite3"
STATUSES = {1: "Active", 2: "Archived"}
TYPES = {"client": "Client", "lead": "Lead", "other": "Other"}
MAX_PAGE_SIZE = 100
MAX_PAGE = 10**9
_KEPT_REQUESTS = 5000

_STRING_LIMITS = {
    "first_name": 255,
    "last_name": 255,
    "email": 255,
    "phone": 50,
    "company": 255,
    "job_title": 255,
    "notes": 10000,
}
_ADDRESS_LIMITS = {"address_line_1": 255, "address_line_2": 255, "city": 255, "postal_code": 32, "state": 255}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")
_CSV_COLUMNS = [
    ("First Name", "first_name"),
    ("Last Name", "last_name"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("Company", "company"),
    ("Job Title", "job_title"),
    ("Address Line 1", "address_line_1"),
    ("Address Line 2", "address_line_2"),
    ("City", "city"),
    ("State", "state"),
    ("Postal Code", "postal_code"),
    ("Country", "country"),
    ("Type", "type_formatted"),
    ("Status", "status_name"),
    ("Notes", "notes"),
    ("Created At", "created_at"),
]
_DOCUMENT_STATUSES = {"partially_paid": "Partially Paid"}


class _Invalid(Exception):
    """Laravel's ValidationException: per-field messages, answered as 422."""

    def __init__(self, details: Mapping[str, list[str]]):
        super().__init__("invalid")
        self.details = dict(details)


@dataclass(frozen=True)
class CannedResponse:
    status: int
    body: bytes
    content_type: str
    headers: Mapping[str, str]


def _label(field: str) -> str:
    return field.replace("_", " ")


def _unprocessable(details: Mapping[str, list[str]]) -> JSONResponse:
    messages = [message for field_messages in details.values() for message in field_messages]
    message = messages[0] if messages else "The given data was invalid."
    if len(messages) > 1:
        more = len(messages) - 1
        message += f" (and {more} more error{'s' if more > 1 else ''})"
    return JSONResponse({"message": message, "details": details}, status_code=422)


def _unauthenticated() -> JSONResponse:
    return JSONResponse({"message": "Unauthenticated."}, status_code=401)


def _not_found(client_id: str) -> JSONResponse:
    return JSONResponse({"message": f"No query results for model [App\\Models\\Client] {client_id}"}, status_code=404)


def _now() -> str:
    return timestamp(datetime.now(UTC))


def _client_json(row: Mapping[str, Any]) -> dict[str, Any]:
    country_id = row["country_id"]
    return {
        "id": row["id"],
        "email": row["email"],
        "status_name": STATUSES.get(row["status_id"], "Active"),
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "phone": row["phone"],
        "company": row["company"],
        "job_title": row["job_title"],
        "address_info": {
            "address_line_1": row["address_line_1"],
            "address_line_2": row["address_line_2"],
            "city": row["city"],
            "postal_code": row["postal_code"],
            "state": row["state"],
            "country": COUNTRIES.get(country_id) if country_id is not None else None,
            "country_id": country_id,
        },
        "notes": row["notes"],
        "avatar_color": row["avatar_color"],
        "created_at": row["created_at"],
        "sample": bool(row["sample"]),
        "type": row["type"],
        "type_formatted": TYPES.get(row["type"], row["type"].title()),
    }


def _collection_json(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "client_id": row["client_id"],
        "name": row["name"],
        "slug": row["slug"],
        "status": row["status"],
        "photo_count": row["photo_count"],
        "video_count": row["video_count"],
        "event_date": row["event_date"],
        "url": row["url"],
        "created_at": row["created_at"],
    }


def _document_json(row: Mapping[str, Any], expand: set[str]) -> dict[str, Any]:
    amount = row["amount"]
    document = {
        "id": row["id"],
        "client_id": row["client_id"],
        "type": row["type"],
        "type_formatted": row["type"].title(),
        "title": row["title"],
        "number": row["number"],
        "status": row["status"],
        "status_formatted": _DOCUMENT_STATUSES.get(row["status"], row["status"].title()),
        "amount": amount,
        "amount_formatted": f"${amount / 100:,.2f}" if amount is not None else None,
        "currency": row["currency"],
        "due_date": row["due_date"],
        "created_at": row["created_at"],
    }
    if "gift_card_activities" in expand:
        document["gift_card_activities"] = json.loads(row["gift_card_activities"] or "[]")
    return document


def _int_param(
    request: Request, name: str, default: int, errors: dict[str, list[str]], *, maximum: int = MAX_PAGE
) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        errors[name] = [f"The {_label(name)} field must be an integer."]
        return default
    if value < 1:
        errors[name] = [f"The {_label(name)} field must be at least 1."]
    elif value > maximum:
        errors[name] = [f"The {_label(name)} field must not be greater than {maximum}."]
    return value


def _types_param(request: Request, errors: dict[str, list[str]], *, allow_all: bool) -> list[str]:
    raw = request.query_params.get("types", "")
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    if allow_all and "all" in wanted:
        return []
    if any(part not in TYPES for part in wanted):
        errors["types"] = ["The selected types is invalid."]
        return []
    return wanted


def _page(
    request: Request,
    items: list[dict[str, Any]],
    total: int,
    page: int,
    per_page: int,
    page_param: str = "page",
    **extra_meta: Any,
) -> JSONResponse:
    """A Laravel resource collection page: ``data``, ``links`` and ``meta``."""
    last_page = max(1, math.ceil(total / per_page))
    offset = (page - 1) * per_page
    path = str(request.url.replace(query=""))

    def link(number: int) -> str:
        return str(request.url.include_query_params(**{page_param: number}))

    return JSONResponse(
        {
            "data": items,
            "links": {
                "first": link(1),
                "last": link(last_page),
                "prev": link(page - 1) if page > 1 else None,
                "next": link(page + 1) if page < last_page else None,
            },
            "meta": {
                "current_page": page,
                "from": offset + 1 if items else None,
                "last_page": last_page,
                "path": path,
                "per_page": per_page,
                "to": offset + len(items) if items else None,
                "total": total,
                **extra_meta,
            },
        }
    )


def _clean_string(value: Any, field: str, limit: int, errors: dict[str, list[str]]) -> str | None:
    """Laravel's TrimStrings + ConvertEmptyStringsToNull, then ``nullable|string|max``."""
    if value is None:
        return None
    if not isinstance(value, str):
        errors[field] = [f"The {_label(field)} field must be a string."]
        return None
    text: str = value.strip()
    if not text:
        return None
    if len(text) > limit:
        errors[field] = [f"The {_label(field)} field must not be greater than {limit} characters."]
    return text


def _clean_person(payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The columns to write for the fields present in ``payload``, and the errors found."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, Any] = {}
    for field, limit in _STRING_LIMITS.items():
        if field in payload:
            changes[field] = _clean_string(payload[field], field, limit, errors)
    email = changes.get("email")
    if email and "email" not in errors and not _EMAIL.match(email):
        errors["email"] = ["The email field must be a valid email address."]
    if "type" in payload:
        if payload["type"] in TYPES:
            changes["type"] = payload["type"]
        else:
            errors["type"] = ["The selected type is invalid."]
    if "status_name" in payload:
        by_name = {name.casefold(): status_id for status_id, name in STATUSES.items()}
        value = payload["status_name"]
        if isinstance(value, str) and value.strip().casefold() in by_name:
            changes["status_id"] = by_name[value.strip().casefold()]
        else:
            errors["status_name"] = ["The selected status name is invalid."]
    if "status_id" in payload:
        value = payload["status_id"]
        if (
            isinstance(value, (int, str))
            and not isinstance(value, bool)
            and str(value).strip() in {str(k) for k in STATUSES}
        ):
            changes["status_id"] = int(str(value).strip())
        else:
            errors["status_id"] = ["The selected status id is invalid."]
    if "address_info" in payload:
        address = payload["address_info"]
        if address is None:
            changes.update({field: None for field in (*_ADDRESS_LIMITS, "country_id")})
        elif not isinstance(address, Mapping):
            errors["address_info"] = ["The address info field must be an array."]
        else:
            for field, limit in _ADDRESS_LIMITS.items():
                if field in address:
                    changes[field] = _clean_string(address[field], f"address_info.{field}", limit, errors)
            if "country_id" in address:
                changes["country_id"] = _clean_country(address["country_id"], errors)
    return changes, errors


def _clean_country(value: Any, errors: dict[str, list[str]]) -> int | None:
    field = "address_info.country_id"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).strip().lstrip("-").isdigit():
        errors[field] = ["The address info.country id field must be an integer."]
        return None
    country_id = int(str(value).strip())
    if country_id not in COUNTRIES:
        errors[field] = ["The selected address info.country id is invalid."]
        return None
    return country_id


class _Hooks:
    """Records each request and serves queued canned answers before the routes see it."""

    def __init__(self, app: ASGIApp, sandbox: PixiesetSandbox):
        self.app = app
        self.sandbox = sandbox

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        root = scope.get("root_path", "")
        if root and path.startswith(root):
            path = path[len(root) :] or "/"
        canned = self.sandbox._arrived(scope["method"], path)
        if canned is None:
            await self.app(scope, receive, send)
            return
        response = Response(
            canned.body, status_code=canned.status, media_type=canned.content_type, headers=dict(canned.headers)
        )
        await response(scope, receive, send)


class PixiesetSandbox:
    """The Pixieset side of the sandbox studio; state lives in ``data_dir/pixieset.sqlite3``."""

    def __init__(self, data_dir: Path, seed: str = "demo", *, reset: bool = False):
        if seed not in ("demo", "empty"):
            raise ValueError(f"unknown sandbox seed {seed!r}: use 'demo' or 'empty'")
        self.data_dir = Path(data_dir)
        self.store = PixiesetStore(self.data_dir / DB_NAME, seed=seed, reset=reset)
        token = self.store.meta("session_token")
        if token is None:
            token = secrets.token_urlsafe(32)
            self.store.set_meta("session_token", token)
        self._token = token
        self._lock = threading.Lock()
        self._canned: deque[tuple[CannedResponse, str | None]] = deque()
        self.requests: list[tuple[str, str]] = []
        """``(method, path below the mount)`` of recent requests, oldest first."""
        self.asgi_app = self._build_app()

    def __repr__(self) -> str:
        return f"PixiesetSandbox({str(self.data_dir)!r})"

    @property
    def cookie(self) -> str:
        """The demo session cookie as ``name=value``, the way a user pastes it."""
        return f"{COOKIE_NAME}={self._token}"

    def sign_out(self) -> None:
        """End the demo session: the current cookie stops working and a new one is made."""
        token = secrets.token_urlsafe(32)
        self.store.set_meta("session_token", token)
        self._token = token

    def inject(
        self,
        status: int = 503,
        body: bytes | str | dict[str, Any] | None = None,
        *,
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        times: int = 1,
        method: str | None = None,
    ) -> None:
        """Answer the next ``times`` requests (of ``method``, if given) with this canned response."""
        if body is None:
            body = {"message": "Service Unavailable"} if status >= 500 else {}
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        canned = CannedResponse(status, body, content_type, dict(headers or {}))
        with self._lock:
            self._canned.extend([(canned, method.upper() if method else None)] * times)

    def _arrived(self, method: str, path: str) -> CannedResponse | None:
        with self._lock:
            self.requests.append((method, path))
            if len(self.requests) > 2 * _KEPT_REQUESTS:  # a GUI session can run for days
                del self.requests[:_KEPT_REQUESTS]
            for index, (canned, only) in enumerate(self._canned):
                if only is None or only == method:
                    del self._canned[index]
                    return canned
        return None

    def close(self) -> None:
        self.store.close()

    # -- the app ------------------------------------------------------------------------
    def _build_app(self) -> Starlette:
        routes = [
            Route("/clients/", self._clients, methods=["GET", "POST"]),
            Route("/clients", self._clients, methods=["GET", "POST"]),
            Route("/clients/search", self._search, methods=["GET"]),
            Route("/clients/download_csv", self._download_csv, methods=["GET"]),
            Route("/clients/{client_id}", self._client, methods=["GET", "PUT"]),
            Route("/clients/{client_id}/cgCollections/", self._collections, methods=["GET"]),
            Route("/clients/{client_id}/cgCollections", self._collections, methods=["GET"]),
            Route("/clients/{client_id}/documents", self._documents, methods=["GET"]),
            Route("/clients/{client_id}/documents/", self._documents, methods=["GET"]),
        ]
        return Starlette(
            routes=routes,
            middleware=[Middleware(_Hooks, sandbox=self)],
            exception_handlers={HTTPException: self._http_error},
        )

    async def _http_error(self, request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            message = f"The {request.method} method is not supported for route {request.url.path.lstrip('/')}."
        elif exc.status_code == 404:
            message = "Not Found."
        else:
            message = exc.detail
        return JSONResponse({"message": message}, status_code=exc.status_code)

    def _signed_in(self, request: Request, *, xhr: bool = True) -> bool:
        if xhr and request.headers.get("x-requested-with", "").lower() != "xmlhttprequest":
            return False
        presented = request.cookies.get(COOKIE_NAME, "")
        return bool(presented) and secrets.compare_digest(presented.encode(), self._token.encode())

    def _csv_url(self, request: Request) -> str:
        return str(request.url.replace(path=request.scope.get("root_path", "") + "/clients/download_csv", query=""))

    async def _clients(self, request: Request) -> Response:
        if not self._signed_in(request):
            return _unauthenticated()
        if request.method == "POST":
            return await self._create(request)
        errors: dict[str, list[str]] = {}
        types = _types_param(request, errors, allow_all=False)
        page = _int_param(request, "page", 1, errors)
        per_page = _int_param(request, "per_page", 25, errors, maximum=MAX_PAGE_SIZE)
        if errors:
            return _unprocessable(errors)
        rows, total = self.store.list_people(types, (page - 1) * per_page, per_page)
        return _page(
            request,
            [_client_json(row) for row in rows],
            total,
            page,
            per_page,
            client_statuses={str(k): v for k, v in STATUSES.items()},
            csv_url=self._csv_url(request),
        )

    async def _search(self, request: Request) -> Response:
        if not self._signed_in(request):
            return _unauthenticated()
        errors: dict[str, list[str]] = {}
        types = _types_param(request, errors, allow_all=True)
        page = _int_param(request, "page", 1, errors)
        page_size = _int_param(request, "pageSize", 25, errors, maximum=MAX_PAGE_SIZE)
        query = request.query_params.get("q", "")
        if len(query) > 255:
            errors["q"] = ["The q field must not be greater than 255 characters."]
        if errors:
            return _unprocessable(errors)
        rows, total = self.store.search_people(query, types, (page - 1) * page_size, page_size)
        return _page(
            request,
            [_client_json(row) for row in rows],
            total,
            page,
            page_size,
            client_statuses={str(k): v for k, v in STATUSES.items()},
            csv_url=self._csv_url(request),
        )

    async def _read_json(self, request: Request) -> Mapping[str, Any] | Response:
        body = await request.body()
        try:
            payload = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return JSONResponse({"message": "The request body is not valid JSON."}, status_code=400)
        if not isinstance(payload, dict):
            return JSONResponse({"message": "The request body must be a JSON object."}, status_code=400)
        return payload

    async def _create(self, request: Request) -> Response:
        payload = await self._read_json(request)
        if isinstance(payload, Response):
            return payload
        changes, errors = _clean_person(payload)
        self._check_person(changes, changes, errors)
        if errors:
            return _unprocessable(errors)
        person = {
            "type": "client",
            "status_id": 1,
            **changes,
            "id": random_id("cl_"),
            "created_at": _now(),
            "sample": 0,
            "avatar_color": secrets.randbelow(10) + 1,
        }
        row = self.store.insert_person(person)
        return JSONResponse({"data": _client_json(row)}, status_code=201)

    async def _client(self, request: Request) -> Response:
        if not self._signed_in(request):
            return _unauthenticated()
        client_id = request.path_params["client_id"]
        row = self.store.get_person(client_id)
        if row is None:
            return _not_found(client_id)
        if request.method == "GET":
            return JSONResponse({"data": _client_json(row)})
        payload = await self._read_json(request)
        if isinstance(payload, Response):
            return payload
        changes, errors = _clean_person(payload)
        self._check_person({**row, **changes}, changes, errors, except_id=client_id)
        if errors:
            return _unprocessable(errors)
        updated = self.store.update_person(client_id, changes)
        if updated is None:
            return _not_found(client_id)
        return JSONResponse({"data": _client_json(updated)})

    def _check_person(
        self,
        person: Mapping[str, Any],
        changes: Mapping[str, Any],
        errors: dict[str, list[str]],
        *,
        except_id: str | None = None,
    ) -> None:
        """The rules on the whole client: a first name or an email, and an email no other client has.

        ``person`` is the client with ``changes`` applied (for a new client, the changes alone).
        """
        if not person.get("first_name") and not person.get("email"):
            errors.setdefault("first_name", []).append("The first name field is required when email is not present.")
            errors.setdefault("email", []).append("The email field is required when first name is not present.")
        if (
            changes.get("email")
            and "email" not in errors
            and self.store.email_taken(changes["email"], except_id=except_id)
        ):
            errors["email"] = ["The email has already been taken."]

    def _client_page(self, request: Request, size_param: str, default_size: int) -> tuple[str, int, int] | Response:
        """For a client's collections or documents: (client id, page, page size), or the answer refusing them."""
        if not self._signed_in(request):
            return _unauthenticated()
        client_id = request.path_params["client_id"]
        if self.store.get_person(client_id) is None:
            return _not_found(client_id)
        errors: dict[str, list[str]] = {}
        page = _int_param(request, "page", 1, errors)
        size = _int_param(request, size_param, default_size, errors, maximum=MAX_PAGE_SIZE)
        if errors:
            return _unprocessable(errors)
        return client_id, page, size

    async def _collections(self, request: Request) -> Response:
        asked = self._client_page(request, "page_size", 20)
        if isinstance(asked, Response):
            return asked
        client_id, page, page_size = asked
        rows, total = self.store.collections(client_id, (page - 1) * page_size, page_size)
        return _page(request, [_collection_json(row) for row in rows], total, page, page_size)

    async def _documents(self, request: Request) -> Response:
        asked = self._client_page(request, "per_page", 15)
        if isinstance(asked, Response):
            return asked
        client_id, page, per_page = asked
        expand = {part.strip() for part in request.query_params.get("expand", "").split(",") if part.strip()}
        rows, total = self.store.documents(client_id, (page - 1) * per_page, per_page)
        return _page(request, [_document_json(row, expand) for row in rows], total, page, per_page)

    async def _download_csv(self, request: Request) -> Response:
        # A download link, not an XHR: the browser sends only the cookie.
        if not self._signed_in(request, xhr=False):
            return _unauthenticated()
        errors: dict[str, list[str]] = {}
        types = _types_param(request, errors, allow_all=True)
        if errors:
            return _unprocessable(errors)
        people = [_client_json(row) for row in self.store.all_people(types)]

        def lines() -> Iterator[str]:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            writer.writerow([title for title, _ in _CSV_COLUMNS])
            for person in people:
                flat = {**person, **person["address_info"]}
                writer.writerow(["" if flat.get(key) is None else flat[key] for _, key in _CSV_COLUMNS])
                if buffer.tell() > 16384:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        stamp = datetime.now(UTC).strftime("%Y-%m-%d")
        return StreamingResponse(
            lines(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="clients-{stamp}.csv"'},
        )
