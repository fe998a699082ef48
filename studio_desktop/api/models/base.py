"""How an answer becomes a model: declared fields, one lenient pass, then msgspec.

A model is a frozen dataclass whose field types say what the answer holds.
:meth:`Model.from_json` reads an answer object in two steps:

1. :func:`_normalise` walks the answer along the model's fields (a plan built
   once per class from its type hints) and turns the service's odd values into
   plain ones with :mod:`.lenient`: ``"42"`` into ``42``, ``""`` into ``None``,
   ``"1"`` into ``True``, ``{"0": {...}}`` into a list, an empty nested object
   into ``None``. Missing keys become ``None`` (or the field's default); extra
   keys are dropped. It raises :class:`BadResponseError` naming the model and
   key (``the photo has no 'id'``) for what cannot be read.
2. ``msgspec.convert`` builds the dataclasses (nested ones and tuples too) and
   checks every value against its declared type.

Field types and what the answer may send for them:

- ``int`` (a required id): an int, a whole float or a numeric string; missing,
  null or ``""`` is "has no"; ``int | None``: the same, missing is ``None``.
- ``str``: a non-empty string or number (required); ``str | None``: text from
  a string or number, ``None`` for anything else.
- ``bool | None``: a boolean, number or flag word; ``Decimal | None``: money.
- ``Model | None``: an object, ``None`` for null, ``""``, ``[]`` or ``{}``;
  ``Model`` with a default: the same, the default when empty.
- ``tuple[Model, ...]``: an array (or PHP's ``{"0": ..., "1": ...}``); ``()`` when empty.
- ``tuple[str, ...]``: an array of strings or ``"a, b"``. ``Any``: the value as sent.

``Annotated`` markers change how one field is read: :class:`Key` (another key,
or the first of several keys that is not null), :data:`EMPTY_IS_NONE` (``0``
and ``""`` become ``None``) and :data:`NOT_SENT` (never read from the answer).
A model whose answer has another shape overrides :meth:`Model._shape`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, ClassVar, NamedTuple, TypeVar, Union

from studio_desktop.api.errors import BadResponseError
from studio_desktop.api.models.lenient import (
    bad,
    expect_object,
    lenient_bool,
    lenient_decimal,
    lenient_int,
    lenient_str,
    lenient_strings,
)

T = TypeVar("T")
M = TypeVar("M", bound="Model")


class Key:
    """Read the field from ``names[0]``, or the first of ``names`` that is not null (errors name the one read)."""

    def __init__(self, *names: str):
        self.names = names


class _Marker:
    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: ``0``/``""`` (and other false values) become ``None``: e.g. ``parent_id`` 0 means "top level".
EMPTY_IS_NONE = _Marker("EMPTY_IS_NONE")
#: Not part of the answer: filled in by the client (``content_hash``) or by the caller (``brand_id``).
NOT_SENT = _Marker("NOT_SENT")


class Model:
    """Base of the response models; subclasses are ``@dataclass(frozen=True)`` and name themselves in ``_what``."""

    #: What error messages call this model ("the photo has no 'id'").
    _what: ClassVar[str] = "object"

    @classmethod
    def from_json(cls: type[M], d: Any) -> M:
        model: M = _convert(_normalise(cls, d), cls)
        return model

    @classmethod
    def _shape(cls, d: Any) -> Mapping[str, Any]:
        """The answer object as the fields expect it; overridden where the service sends other shapes."""
        return expect_object(d, cls._what)


# --- the plan of one model ------------------------------------------------------

_STR, _INT, _BOOL, _DECIMAL, _MODEL, _MANY, _STRINGS, _ANY, _NOT_SENT = range(9)
_KINDS: dict[Any, int] = {int: _INT, str: _STR, bool: _BOOL, Decimal: _DECIMAL, Any: _ANY}


class _Field(NamedTuple):
    name: str
    key: str
    other_keys: tuple[str, ...]  # read in turn while the value is null
    kind: int
    model: type[Model] | None  # for _MODEL and _MANY
    default: Any  # what an empty nested model becomes: None, or {} when the field has a default model
    required: bool  # the answer must carry it: a non-optional int or str
    empty_is_none: bool


_PLANS: dict[type, tuple[_Field, ...]] = {}


def _plan(cls: type[Model]) -> tuple[_Field, ...]:
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = tuple(_compile(cls))
    return plan


def _compile(cls: type[Model]) -> list[_Field]:
    hints = typing.get_type_hints(cls, include_extras=True)
    plan = []
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        hint = hints[f.name]
        extras: tuple[Any, ...] = ()
        if typing.get_origin(hint) is typing.Annotated:
            hint, *rest = typing.get_args(hint)
            extras = tuple(rest)
        if NOT_SENT in extras:
            plan.append(_Field(f.name, "", (), _NOT_SENT, None, None, required=False, empty_is_none=False))
            continue
        key, *other_keys = next((x.names for x in extras if isinstance(x, Key)), (f.name,))
        args = typing.get_args(hint)
        optional = typing.get_origin(hint) in (Union, types.UnionType) and type(None) in args
        if optional:
            (hint,) = (a for a in args if a is not type(None))
        model: type[Model] | None = None
        if isinstance(hint, type) and issubclass(hint, Model):
            kind, model = _MODEL, hint
        elif typing.get_origin(hint) is tuple:
            item = typing.get_args(hint)[0]
            kind, model = (_STRINGS, None) if item is str else (_MANY, item)
        elif hint in _KINDS:
            kind = _KINDS[hint]
        else:
            raise TypeError(f"{cls.__name__}.{f.name}: no lenient reading for {hint!r}")
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        plan.append(
            _Field(
                f.name,
                key,
                tuple(other_keys),
                kind,
                model,
                default={} if kind == _MODEL and not optional and has_default else None,
                required=kind in (_INT, _STR) and not optional,
                empty_is_none=EMPTY_IS_NONE in extras,
            )
        )
    return plan


# --- the lenient pass ---------------------------------------------------------


def _normalise(cls: type[Model], raw: Any) -> dict[str, Any]:
    """The answer object as plain values under the field names, ready for msgspec."""
    d = cls._shape(raw)
    out: dict[str, Any] = {}
    for name, key, other_keys, kind, model, default, required, empty_is_none in _plan(cls):
        value = d.get(key)
        if value is None and other_keys:
            for key in other_keys:
                value = d.get(key)
                if value is not None:
                    break
        # The plain type first: it is what a well-behaved answer sends, and checking it is cheap.
        if kind == _STR:
            if type(value) is not str:
                value = lenient_str(value)
        elif kind == _INT:
            if type(value) is not int:
                try:
                    value = lenient_int(value)
                except ValueError:
                    raise bad(cls._what, key, "has a non-numeric") from None
        elif kind == _MODEL:
            if value is None or value == "" or value == [] or value == {}:
                value = default
            else:
                value = _normalise(model, value)  # type: ignore[arg-type]
        elif kind == _BOOL:
            if type(value) is not bool:
                value = lenient_bool(value)
        elif kind == _DECIMAL:
            try:
                value = lenient_decimal(value)
            except ValueError:
                raise bad(cls._what, key, "has a non-numeric") from None
        elif kind == _MANY:
            value = [_normalise(model, item) for item in _items(value, cls._what, key)]  # type: ignore[arg-type]
        elif kind == _STRINGS:
            value = lenient_strings(value)
        elif kind == _NOT_SENT:
            value = None
        if required and (value is None or value == ""):
            raise bad(cls._what, key, "has no")
        if empty_is_none and not value:
            value = None
        out[name] = value
    return out


def _items(value: Any, model: str, key: str) -> list[Any]:
    """The items of an array the answer sent (PHP sometimes sends ``{"0": ..., "1": ...}``)."""
    if value is None or value == "" or value == {}:
        return []
    if isinstance(value, Mapping):
        return list(value.values())
    if not isinstance(value, list):
        raise BadResponseError(f"The server's answer is malformed: the {model} '{key}' is not a list.")
    return value


def _convert(value: Any, into: Any) -> Any:
    # Imported at the first answer, not with the models: start-up (#11) does not wait for it.
    import msgspec

    try:
        return msgspec.convert(value, into)
    except msgspec.ValidationError as exc:  # the lenient pass let through something its type does not allow
        raise BadResponseError(f"The server's answer is malformed: {exc}.") from None


def many(d: Mapping[str, Any], key: str, parse: Callable[[Any], T], model: str) -> tuple[T, ...]:
    """The items under ``key`` read with ``parse``; a whole array of a model's items goes to msgspec at once."""
    items = _items(d.get(key), model, key)
    cls = _model_of(parse)
    if cls is not None:
        parsed: tuple[T, ...] = _convert([_normalise(cls, item) for item in items], _tuple_of(cls))
        return parsed
    return tuple(parse(item) for item in items)


_TUPLES: dict[type, Any] = {}


def _tuple_of(cls: type[Model]) -> Any:
    """``tuple[cls, ...]``, made once: msgspec caches its work per type object, and each spelling is a new one."""
    tuple_type = _TUPLES.get(cls)
    if tuple_type is None:
        tuple_type = _TUPLES[cls] = tuple[cls, ...]  # type: ignore[valid-type]
    return tuple_type


def _model_of(parse: Callable[[Any], Any]) -> type[Model] | None:
    """The model whose plain ``from_json`` ``parse`` is, if it is one (not an override)."""
    owner = getattr(parse, "__self__", None)
    plain = getattr(parse, "__func__", None) is _PLAIN_FROM_JSON
    return owner if plain and isinstance(owner, type) and issubclass(owner, Model) else None


_PLAIN_FROM_JSON = vars(Model)["from_json"].__func__
