"""The models read the real service's odd types exactly as the hand-written readers did before msgspec.

``_before_*`` below are those readers, copied unchanged from the old
``api/models.py``: they are the oracle. Every number, flag, text and money
field of every model is fed odd-but-seen shapes (ints as strings, ``""`` for
null, flags as words, whole floats...) and garbage, and must come out the same
value or the same :class:`BadResponseError` sentence.
"""

from __future__ import annotations

import dataclasses
import typing
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studio_desktop.api import models
from studio_desktop.api.errors import BadResponseError
from studio_desktop.api.models.base import EMPTY_IS_NONE, NOT_SENT, Key, Model
from studio_desktop.api.shootproof import ShootProofClient
from studio_desktop.api.transport import RetryPolicy

# --- the readers as they were ------------------------------------------------------

_TRUE = {"1", "true", "yes", "y", "on", "t"}
_FALSE = {"0", "false", "no", "n", "off", "f", ""}


class _Garbage(Exception):
    pass


def _before_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _Garbage
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            pass
    raise _Garbage


def _before_str(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    return None


def _before_bool(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value != 0
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def _before_decimal(value: Any) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise _Garbage from None


BEFORE = {int: _before_int, str: _before_str, bool: _before_bool, Decimal: _before_decimal}

# --- every scalar field of every model ------------------------------------------------

#: enough for every model to parse: its required keys
MINIMAL = {"id": 1, "order_id": 1, "photo_id": 1, "email_address": "a@example.org"}


def _scalar_fields() -> list[tuple[type[Model], str, str, type, bool, bool]]:
    """(model, attribute, answer key, scalar type, required, empty_is_none) for every plainly read field."""
    found = []
    for name in models.__all__:
        cls = getattr(models, name)
        if not (isinstance(cls, type) and issubclass(cls, Model)) or cls._shape.__func__ is not Model._shape.__func__:
            continue  # models that reshape their answer are covered by test_shootproof_models
        hints = typing.get_type_hints(cls, include_extras=True)
        for f in dataclasses.fields(cls):
            hint, extras = hints[f.name], ()
            if typing.get_origin(hint) is typing.Annotated:
                hint, *extras = typing.get_args(hint)
            if NOT_SENT in extras:
                continue
            keys = next((x.names for x in extras if isinstance(x, Key)), (f.name,))
            args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
            if len(keys) == 1 and len(args) == 1 and args[0] in BEFORE:
                found.append(
                    (cls, f.name, keys[0], args[0], type(None) not in typing.get_args(hint), EMPTY_IS_NONE in extras)
                )
    return found


SCALAR_FIELDS = _scalar_fields()

#: shapes the real service (or a proxy in front of it) has sent, and some it never should
ODD = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [
            0,
            1,
            -1,
            0.0,
            12.0,
            12.5,
            "",
            " ",
            "0",
            "1",
            "-1",
            "12",
            " 12 ",
            "+5",
            "12.0",
            "1e3",
            "true",
            "False",
            "YES",
            "off",
            "t",
            "null",
            "NaN",
            "41.50",
            "x",
            "١٢",
        ]
    ),
    st.text(max_size=6),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["href", "0", "id"]), st.integers(), max_size=2),
)


def _expected(cls, attr, key, kind, required, empty_is_none, value):
    """What the old readers made of ``value``: ("value", x) or ("error", sentence)."""
    try:
        result = BEFORE[kind](value)
    except _Garbage:
        return ("error", f"The server's answer is incomplete: the {cls._what} has a non-numeric '{key}'.")
    if required and (result is None or result == ""):
        return ("error", f"The server's answer is incomplete: the {cls._what} has no '{key}'.")
    return ("value", (result or None) if empty_is_none else result)


def _parsed(cls, attr, key, value):
    try:
        return ("value", getattr(cls.from_json({**MINIMAL, key: value}), attr))
    except BadResponseError as exc:
        return ("error", str(exc))


def test_every_model_has_its_scalar_fields_under_test():
    covered = {cls.__name__ for cls, *_ in SCALAR_FIELDS}
    assert {
        "Photo",
        "Event",
        "Album",
        "Contact",
        "Order",
        "OrderDetails",
        "Invoice",
        "Brand",
        "GalleryVisitor",
        "MobileApp",
        "Plan",
        "UploadResult",
    } <= covered
    assert len(SCALAR_FIELDS) > 150


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(field=st.sampled_from(SCALAR_FIELDS), value=ODD)
def test_any_odd_scalar_parses_as_before(field, value):
    cls, attr, key, kind, required, empty_is_none = field
    expected = _expected(cls, attr, key, kind, required, empty_is_none, value)
    got = _parsed(cls, attr, key, value)
    if expected[0] == "value" and isinstance(expected[1], Decimal) and expected[1].is_nan():
        assert got[0] == "value" and got[1].is_nan()  # NaN never equals itself
    else:
        assert got == expected


# --- a table of the shapes seen, per kind ----------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("6000", 6000),
        (" 12 ", 12),
        (12.0, 12),
        ("-3", -3),
        ("", None),
        (None, None),
    ],
)
def test_numbers(value, expected):
    assert models.Photo.from_json({"id": 1, "width": value}).width == expected


@pytest.mark.parametrize("value", [True, False, "12.5", 12.5, "twelve", [1], {"n": 1}])
def test_numbers_that_are_not(value):
    sentence = r"^The server's answer is incomplete: the photo has a non-numeric 'width'\.$"
    with pytest.raises(BadResponseError, match=sentence):
        models.Photo.from_json({"id": 1, "width": value})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (True, True),
        (1, True),
        ("1", True),
        ("yes", True),
        (" On ", True),
        ("t", True),
        (2.5, True),
        (False, False),
        (0, False),
        ("0", False),
        ("", False),
        ("off", False),
        ("F", False),
        (None, None),
        ("maybe", None),
        ([], None),
        ({}, None),
    ],
)
def test_flags(value, expected):
    assert models.Event.from_json({"id": 1, "is_archived": value}).is_archived is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Lumen", "Lumen"),
        (True, "1"),
        (False, "0"),
        (5, "5"),
        (1.5, "1.5"),
        ("", ""),
        (None, None),
        ([], None),
        ({"first": "x"}, None),
    ],
)
def test_text(value, expected):
    assert models.Photo.from_json({"id": 1, "name": value}).name == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("41.50", Decimal("41.50")),
        (" 7 ", Decimal(7)),
        (7, Decimal(7)),
        (2.5, Decimal("2.5")),
        ("", None),
        (None, None),
        (True, None),
    ],
)
def test_money(value, expected):
    assert models.Order.from_json({"order_id": 1, "grand_total": value}).grand_total == expected


@pytest.mark.parametrize(("value", "expected"), [("", None), ("0", None), (0, None), ("5", 5), (-1, -1)])
def test_zero_or_empty_means_none_where_the_api_says_so(value, expected):
    assert models.Album.from_json({"id": 1, "parent_id": value}).parent_id == expected
    assert models.Event.from_json({"id": 1, "password": ""}).password is None


def test_ids_must_be_there():
    for value in (None, ""):
        with pytest.raises(BadResponseError, match=r"the album has no 'id'\.$"):
            models.Album.from_json({"id": value})
    assert models.Album.from_json({"id": "0"}).id == 0  # zero is an id, not a missing one
    with pytest.raises(BadResponseError, match=r"the gallery visitor has no 'email_address'"):
        models.GalleryVisitor.from_json({"email_address": ""})


def test_nested_objects_lists_and_extra_fields():
    album = models.Album.from_json(
        {
            "id": "1",
            "links": {"self": {"href": "/album/1"}},
            "unknown": [1, 2],
            "sub_albums": {"0": {"id": "2", "sub_albums": ""}, "1": {"id": 3, "sub_albums": None}},
        }
    )
    assert [a.id for a in album.walk()] == [1, 2, 3]
    for empty in (None, "", [], {}):
        assert models.Contact.from_json({"id": 1, "address": empty}).address is None
        assert models.Photo.from_json({"id": 1, "url": empty}).url == models.PhotoUrls()
    assert models.Contact.from_json({"id": 1, "address": {"city": None}}).address == models.Address()
    with pytest.raises(BadResponseError, match="expected address data, got list"):
        models.Contact.from_json({"id": 1, "address": ["x"]})
    with pytest.raises(BadResponseError, match="the event 'albums' is not a list"):
        models.Event.from_json({"id": 1, "albums": 5})


def test_models_stay_frozen_dataclasses():
    album = models.Album.from_json({"id": 1, "name": "A", "sub_albums": [{"id": 2}]})
    assert dataclasses.replace(album, name="B") == models.Album(id=1, name="B", sub_albums=(models.Album(2, None),))
    assert hash(album) == hash(models.Album.from_json({"id": "1", "name": "A", "sub_albums": [{"id": "2"}]}))
    with pytest.raises(dataclasses.FrozenInstanceError):
        album.name = "C"  # type: ignore[misc]


# --- through the client: garbage is a BadResponseError with a plain sentence -------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("photo", "sentence"),
    [
        ({"id": "IMG_1"}, "the photo has a non-numeric 'id'"),
        ({"id": 1, "width": True}, "the photo has a non-numeric 'width'"),
        ({"name": "a.jpg"}, "the photo has no 'id'"),
        ("a.jpg", "expected photo data, got str"),
    ],
)
async def test_the_client_reports_garbage_as_a_bad_response(photo, sentence):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"stat": "ok", "photos": [{"id": 1}, photo], "page": "1", "total_pages": "1"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    async with ShootProofClient(
        "https://api.example.test/v2", "tok", http=http, retry=RetryPolicy.no_retries()
    ) as client:
        with pytest.raises(BadResponseError) as caught:
            await client.event_get_photos(5)
    assert sentence in str(caught.value)
