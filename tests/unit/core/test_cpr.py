from datetime import date

import pytest

from hub.cpr import InvalidCPR, age_on, birth_date, mask, normalize


@pytest.mark.parametrize(
    ("cpr", "born"),
    [
        ("0101801234", date(1980, 1, 1)),  # 7th digit 1: 1900s
        ("150312-4321", date(2012, 3, 15)),  # 7th digit 4, yy <= 36: 2000s
        ("150390-4321", date(1990, 3, 15)),  # 7th digit 4, yy > 36: 1900s
        ("010110-5999", date(2010, 1, 1)),  # 7th digit 5, yy <= 57: 2000s
        ("010170-5999", date(1870, 1, 1)),  # 7th digit 5, yy > 57: 1800s
    ],
)
def test_birth_date_follows_the_century_digit(cpr: str, born: date) -> None:
    assert birth_date(normalize(cpr)) == born


@pytest.mark.parametrize("bad", ["", "123", "3102801234", "abcdefghij", "010180-12345"])
def test_invalid_cpr_is_refused_without_echoing_it(bad: str) -> None:
    with pytest.raises(InvalidCPR) as info:
        normalize(bad)
    assert bad not in str(info.value) or bad == ""


def test_mask_hides_the_serial() -> None:
    assert mask("0101801234") == "010180-XXXX"


def test_age_counts_whole_years() -> None:
    assert age_on(date(2011, 11, 25), date(2026, 11, 24)) == 14
    assert age_on(date(2011, 11, 24), date(2026, 11, 24)) == 15
