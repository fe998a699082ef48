"""The one place that reads the odd scalar types the real services send.

ShootProof (a PHP service) sends ids and counts as numbers or as strings,
``""`` for null, flags as ``true``/``1``/``"1"``/``"yes"``, money as strings or
numbers. Pixieset does some of the same. Each function takes one raw JSON
value and returns the plain Python value, or raises ``ValueError`` when the
value cannot be what the field holds; the callers turn that into their own
error (ShootProof: :class:`BadResponseError` naming the model and key).

The ``opt_*``/``req_*`` functions read one key of an answer object with the
ShootProof error messages, for the few answers that are a single value
rather than a model (``sp.event.photo_exists``, ``sp.contact.delete``...).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from studio_desktop.api.errors import BadResponseError

_TRUE = frozenset({"1", "true", "yes", "y", "on", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "off", "f", ""})


def lenient_int(value: Any) -> int | None:
    """``None`` for null or ``""``; an int from an int, a whole float or a numeric string; else ``ValueError``.

    ``True``/``False`` are refused: a flag where a number belongs means the answer is not what we think.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError("a flag, not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return int(value.strip())  # ValueError for anything but an integer
    raise ValueError(f"a {type(value).__name__}, not a number")


def lenient_str(value: Any) -> str | None:
    """Text from a string or a number (flags as ``"1"``/``"0"``); ``None`` for null, objects and arrays."""
    if value is None:
        return None
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (str, int, float, Decimal)):
        return str(value)
    return None


def lenient_bool(value: Any) -> bool | None:
    """A flag from a boolean, a number (non-zero is true) or a word; ``None`` when it is none of those."""
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


def lenient_decimal(value: Any) -> Decimal | None:
    """Money from a number or a numeric string; ``None`` for null, ``""`` and flags; else ``ValueError``."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError("not a number") from None


def lenient_strings(value: Any) -> tuple[str, ...]:
    """A list of words from ``"a, b"`` or ``["a", "b"]``, dropping empty ones; ``()`` for anything else."""
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(item) for item in value if item is not None and str(item) != "")
    return ()


# --- ShootProof's messages --------------------------------------------------


def bad(model: str, key: str, problem: str) -> BadResponseError:
    return BadResponseError(f"The server's answer is incomplete: the {model} {problem} '{key}'.")


def expect_object(d: Any, model: str) -> Mapping[str, Any]:
    if not isinstance(d, Mapping):
        raise BadResponseError(f"The server's answer is malformed: expected {model} data, got {type(d).__name__}.")
    return d


def opt_int(d: Mapping[str, Any], key: str, model: str) -> int | None:
    try:
        return lenient_int(d.get(key))
    except ValueError:
        raise bad(model, key, "has a non-numeric") from None


def req_int(d: Mapping[str, Any], key: str, model: str) -> int:
    value = opt_int(d, key, model)
    if value is None:
        raise bad(model, key, "has no")
    return value


def opt_str(d: Mapping[str, Any], key: str) -> str | None:
    return lenient_str(d.get(key))


def opt_bool(d: Mapping[str, Any], key: str) -> bool | None:
    return lenient_bool(d.get(key))


def field_errors(value: Any) -> dict[str, list[str]]:
    """Normalise ``{field: [messages]}`` (or ``{field: message}``) from the server."""
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, list[str]] = {}
    for name, messages in value.items():
        if isinstance(messages, list):
            result[str(name)] = [str(m) for m in messages]
        elif isinstance(messages, Mapping):
            result[str(name)] = [str(m) for m in messages.values()]
        elif messages is not None:
            result[str(name)] = [str(messages)]
    return result
