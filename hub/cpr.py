"""CPR numbers: parsing, birth date, age and masking.

A CPR number is personal data. Nothing here logs or raises with the number in the message.
"""

from __future__ import annotations

import re
from datetime import date

_CPR_RE = re.compile(r"^(\d{2})(\d{2})(\d{2})-?(\d{4})$")


class InvalidCPR(ValueError):
    """Raised for a value that is not a CPR number. The message never contains the value."""


def normalize(value: str) -> str:
    """Return the 10-digit form (no dash) or raise InvalidCPR."""
    match = _CPR_RE.match(value.strip())
    if match is None:
        raise InvalidCPR("not a CPR number (expected DDMMYY-SSSS)")
    cpr = "".join(match.groups())
    birth_date(cpr)  # validates the date part
    return cpr


def birth_date(cpr: str) -> date:
    """The birth date encoded in a CPR number, using the 7th digit for the century (CPR office rules)."""
    digits = cpr.replace("-", "")
    if len(digits) != 10 or not digits.isdigit():
        raise InvalidCPR("not a CPR number (expected DDMMYY-SSSS)")
    day, month, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if seventh in (0, 1, 2, 3):
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    elif seventh in (5, 6, 7, 8):
        century = 2000 if yy <= 57 else 1800
    else:  # pragma: no cover - all digits are covered above
        raise InvalidCPR("not a CPR number")
    try:
        return date(century + yy, month, day)
    except ValueError as exc:
        raise InvalidCPR("not a CPR number (invalid birth date)") from exc


def age_on(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def mask(cpr: str) -> str:
    """DDMMYY-XXXX: the birth date is shown, the serial is not."""
    digits = cpr.replace("-", "")
    return f"{digits[:6]}-XXXX"


def format_cpr(cpr: str) -> str:
    digits = cpr.replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"
