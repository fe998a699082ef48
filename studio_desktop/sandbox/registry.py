"""One path for every ``sp.*`` method: the registry, the call context, and API failures.

Handlers are plain functions ``handler(call) -> dict`` registered with
:func:`api_method`; they run in a worker thread, read parameters through
:class:`Call`, and raise :class:`ApiFail` for anything the caller got wrong.
What they return is sent as ``{"stat": "ok", **result}``.
"""

from __future__ import annotations

import builtins
import importlib
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

from studio_desktop.sandbox.params import IncomingFile, nest
from studio_desktop.sandbox.validate import name_error

if TYPE_CHECKING:
    from studio_desktop.sandbox.shapes import Urls
    from studio_desktop.sandbox.state import StudioState
    from studio_desktop.sandbox.tokens import TokenInfo

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000

HANDLER_MODULES = (
    "shootproof_studio",
    "shootproof_events",
    "shootproof_albums",
    "shootproof_photos",
    "shootproof_contacts",
    "shootproof_commerce",
)


class ApiFail(Exception):
    """A ``stat: fail`` answer: HTTP status, ``code`` (the status unless given), message, field errors."""

    def __init__(
        self,
        status: int,
        msg: str,
        *,
        code: int | str | None = None,
        validation_errors: dict[str, list[str]] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(msg)
        self.status = status
        self.msg = msg
        self.code = status if code is None else code
        self.validation_errors = validation_errors or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"stat": "fail", "code": self.code, "msg": self.msg}
        if self.validation_errors:
            body["validation_errors"] = self.validation_errors
        return body


def invalid(field_name: str, message: str, msg: str | None = None) -> ApiFail:
    return ApiFail(400, msg or message, validation_errors={field_name: [message]})


def invalid_fields(errors: dict[str, list[str]], msg: str = "Invalid values provided.") -> ApiFail:
    return ApiFail(400, msg, validation_errors=errors)


def not_found(what: str, ident: object) -> ApiFail:
    return ApiFail(404, f"{what} {ident} was not found.")


Handler = Callable[["Call"], dict[str, Any]]


@dataclass(frozen=True)
class MethodSpec:
    name: str
    handler: Handler
    required: tuple[str, ...]
    post_only: bool


REGISTRY: dict[str, MethodSpec] = {}

# Not callable, but a scope an app may ask for (automatic plan upgrades on upload).
UPGRADE_SCOPE = "sp.account.upgrade"


def api_method(name: str, *, required: tuple[str, ...] = (), post_only: bool = False) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        if name in REGISTRY:
            raise RuntimeError(f"{name} registered twice")
        REGISTRY[name] = MethodSpec(name, handler, tuple(required), post_only)
        return handler

    return register


def load_handlers() -> dict[str, MethodSpec]:
    for module in HANDLER_MODULES:
        importlib.import_module(f"studio_desktop.sandbox.{module}")
    return REGISTRY


@dataclass(frozen=True)
class Paging:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit

    def fields(self, total: int, returned: int) -> dict[str, int]:
        return {
            "page": self.page,
            "results_returned": returned,
            "total_pages": math.ceil(total / self.limit),
            "total_results": total,
        }


@dataclass
class Call:
    """One API call as a handler sees it."""

    method: str
    verb: str
    params: dict[str, str] = field(repr=False)  # holds the access token
    state: StudioState
    urls: Urls
    token: TokenInfo
    files: dict[str, IncomingFile] = field(default_factory=dict)
    json_body: Any = None
    json_error: str | None = None
    _nested: dict[str, Any] | None = None

    def has(self, name: str) -> bool:
        return name in self.params

    @overload
    def text(self, name: str) -> str | None: ...
    @overload
    def text(self, name: str, default: str) -> str: ...

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        return default if value is None else value

    def required_text(self, name: str) -> str:
        value = (self.params.get(name) or "").strip()
        if not value:
            raise invalid(name, f"The {name} parameter is required.")
        return value

    def required_name(self, name: str, what: str) -> str:
        """The trimmed name of an event, album or category; refused when blank or too long."""
        value = (self.text(name) or "").strip()
        if problem := name_error(value, what):
            raise invalid(name, problem)
        return value

    def int(self, name: str) -> int:
        value = self.opt_int(name)
        if value is None:
            raise invalid(name, f"The {name} parameter is required.")
        return value

    # `int` here is the method above; the builtin by its full name.
    def opt_int(self, name: str) -> builtins.int | None:
        raw = (self.params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            raise invalid(name, f"The {name} parameter must be a whole number.") from None

    def flag(self, name: str) -> bool:
        return (self.params.get(name) or "").strip().lower() in {"1", "true", "yes"}

    def nested(self) -> dict[str, Any]:
        if self._nested is None:
            self._nested = nest(self.params)
        return self._nested

    def paging(self) -> Paging:
        page = self.opt_int("page")
        limit = self.opt_int("limit")
        page = 1 if page is None else page
        limit = DEFAULT_LIMIT if limit is None else limit
        errors: dict[str, list[str]] = {}
        if page < 1:
            errors["page"] = ["The page parameter must be 1 or more."]
        if not 1 <= limit <= MAX_LIMIT:
            errors["limit"] = [f"The limit parameter must be between 1 and {MAX_LIMIT}."]
        if errors:
            raise invalid_fields(errors, "Invalid pagination values provided.")
        return Paging(page, limit)
