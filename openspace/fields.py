"""Cleaning of user-supplied values: types, lengths, control characters and markup."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask_babel import lazy_gettext as _l
from werkzeug.routing import BaseConverter

from .errors import DomainError

_MARKUP = re.compile(r"</?[a-zA-Z!?]|javascript\s*:", re.IGNORECASE)
_ALLOWED_CONTROLS = {"\n", "\t"}


class FieldErrors:
    """Collects per-field messages and raises them together as one DomainError."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, name: str, message: str) -> None:
        """Remember the first problem with a field."""
        self.errors.setdefault(name, str(message))

    def raise_if_any(self) -> None:
        """Refuse the whole change when any field was invalid."""
        if self.errors:
            raise DomainError("invalid", str(_l("Please check the marked fields.")), fields=self.errors)


def clean_text(
    errors: FieldErrors,
    data: dict[str, Any],
    name: str,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str | None:
    """Return the trimmed text of data[name], or record why it is not acceptable."""
    value = data.get(name)
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(name, _l("Must be text."))
        return None
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if not multiline:
        value = " ".join(value.split())
    problem = text_problem(value)
    if problem:
        errors.add(name, problem)
        return None
    if required and not visible(value):
        errors.add(name, _l("Required."))
        return None
    if too_many_marks(value):
        errors.add(name, _l("Too many accents on one letter."))
        return None
    if len(value) > max_length:
        errors.add(name, _l("At most %(max)d characters (you have %(n)d).", max=max_length, n=len(value)))
        return None
    return value


MAX_MARKS_PER_LETTER = 4  # Vietnamese stacks up to two; "Zalgo" text stacks dozens


def visible(value: str) -> bool:
    """True when the text has a character that shows: not only spaces, format characters or marks."""
    return any(unicodedata.category(ch)[0] in "LNPS" for ch in value)


def too_many_marks(value: str) -> bool:
    """True when some character carries more combining marks than any language writes."""
    run = 0
    for ch in value:
        run = run + 1 if unicodedata.combining(ch) or unicodedata.category(ch) in {"Mn", "Me"} else 0
        if run > MAX_MARKS_PER_LETTER:
            return True
    return False


def text_problem(value: str) -> str | None:
    """Why a text cannot be stored (control characters, markup), or None when it can."""
    if any(unicodedata.category(ch) in {"Cc", "Cs"} and ch not in _ALLOWED_CONTROLS for ch in value):
        return str(_l("Contains control characters."))
    if _MARKUP.search(value):
        return str(_l("HTML and scripts are not allowed here."))
    return None


ID_MAX = 2**31 - 1  # the largest id either database stores (PostgreSQL's integer)
_ASCII_ID = re.compile(r"[1-9][0-9]{0,9}")


def valid_id(value: Any) -> int | None:
    """The value as a stored id: a JSON integer or a string of ASCII digits in 1..ID_MAX; else None.

    str.isdigit() also accepts "²" and "١" (which int() reads as 1): only ASCII digits are ids.
    """
    if isinstance(value, str) and _ASCII_ID.fullmatch(value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= ID_MAX:
        return None
    return value


class AsciiIdConverter(BaseConverter):
    """`<id:name>` in a route: ASCII digits only (Werkzeug's `<int:>` also takes "٢" and "３", which int() reads)."""

    regex = r"[0-9]{1,100}"  # longer is no id (and int() refuses over 4,300 digits)

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: Any) -> str:
        return str(int(value))


def clean_id(errors: FieldErrors, data: dict[str, Any], name: str) -> int | None:
    """Return data[name] as a positive integer id, None when absent, or record an error."""
    value = data.get(name)
    if value is None or value == "":
        return None
    found = valid_id(value)
    if found is None:
        errors.add(name, _l("Not a valid choice."))
    return found


def clean_request_id(value: Any) -> str | None:
    """A client-generated idempotency key: 8-64 characters of [A-Za-z0-9_-]; anything else is refused."""
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]{8,64}", value):
        raise DomainError("invalid", str(_l("Invalid request id.")), fields={"request_id": str(_l("Invalid."))})
    return value
