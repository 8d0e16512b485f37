"""Fictitious CPR numbers for the generated world.

Scheme (so that a number from the world is recognisably fictitious and never collides):
- DDMMYY is the person's real (generated) birth date;
- the serial is in the 9000–9999 block, so the 7th digit is 9, which `hub.cpr.birth_date` reads as
  2000–2036 for YY ≤ 36 and 1937–1999 otherwise: every person must be born 1937–2036;
- the last digit is odd for men and even for women, as in real numbers;
- no number passes the old modulus-11 check, which every CPR number issued before 2007 did: a
  9-serial failing modulus 11 is the conventional mark of a test number in Danish test data.

Never logs or raises with a number in the message.
"""

from __future__ import annotations

from datetime import date

_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_SERIAL_BASE = 9000
_SERIAL_SPAN = 1000
FIRST_YEAR = 1937
LAST_YEAR = 2036


def passes_modulus_11(cpr: str) -> bool:
    return sum(int(d) * w for d, w in zip(cpr, _WEIGHTS, strict=True)) % 11 == 0


class CprAllocator:
    """Hands out unique fictitious CPR numbers, one serial counter per (birth date, sex)."""

    def __init__(self) -> None:
        self._next: dict[tuple[date, bool], int] = {}

    def allocate(self, born: date, *, male: bool) -> str:
        if not FIRST_YEAR <= born.year <= LAST_YEAR:
            raise ValueError("birth year outside the range the fictitious serial block can encode")
        key = (born, male)
        offset = self._next.get(key, 1 if male else 0)
        prefix = born.strftime("%d%m%y")
        while offset < _SERIAL_SPAN:
            candidate = f"{prefix}{_SERIAL_BASE + offset:04d}"
            offset += 2  # keep the parity that encodes sex
            if not passes_modulus_11(candidate):
                self._next[key] = offset
                return candidate
        raise RuntimeError("fictitious serial block exhausted for one birth date")
