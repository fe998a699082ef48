"""The envelopes answers come in: a page of a list, a plain list, one object under a key."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from studio_desktop.api.errors import BadResponseError
from studio_desktop.api.models.base import many
from studio_desktop.api.models.lenient import expect_object, opt_int

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a paginated list; pages count from 1."""

    items: list[T]
    page: int
    results_returned: int
    total_pages: int
    total_results: int

    @property
    def has_next(self) -> bool:
        return self.page < self.total_pages

    @classmethod
    def from_json(cls, d: Any, key: str, parse: Callable[[Any], T]) -> Page[T]:
        d = expect_object(d, "page")
        if key not in d:
            raise BadResponseError(f"The server's answer is incomplete: the list '{key}' is missing.")
        items = list(many(d, key, parse, "page"))
        m = "page"
        page = opt_int(d, "page", m) or 1
        returned = opt_int(d, "results_returned", m)
        total_results = opt_int(d, "total_results", m)
        total_pages = opt_int(d, "total_pages", m)
        return cls(
            items=items,
            page=page,
            results_returned=len(items) if returned is None else returned,
            total_pages=(page if items else 0) if total_pages is None else total_pages,
            total_results=len(items) if total_results is None else total_results,
        )


def parse_list(d: Any, key: str, parse: Callable[[Any], T], *, required: bool = True) -> list[T]:
    """A plain (unpaginated) list under ``key`` in a response."""
    d = expect_object(d, "response")
    if key not in d:
        if required:
            raise BadResponseError(f"The server's answer is incomplete: the list '{key}' is missing.")
        return []
    return list(many(d, key, parse, "response"))


def parse_one(d: Any, key: str, parse: Callable[[Any], T]) -> T:
    """The object under ``key`` in a response."""
    d = expect_object(d, "response")
    value = d.get(key)
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if not isinstance(value, Mapping):
        raise BadResponseError(f"The server's answer is incomplete: '{key}' is missing.")
    return parse(value)
