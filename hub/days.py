"""The programme's calendar day: Copenhagen's, not UTC's.

Every "today" the hub decides with (need-to-know windows, team assignments and their end at closure, custody,
consent validity, agendas, ages) is `local_day(now)`. Between midnight in Copenhagen and midnight UTC the two
calendars name different days; one definition keeps a family's closure (which ends its team's assignments
"today") and the gate that reads those assignments on the same day.
"""

from __future__ import annotations

import functools
from datetime import date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Copenhagen")


@functools.lru_cache(maxsize=64)
def local_day(now: datetime) -> date:
    """The Copenhagen calendar day of `now` (an aware datetime). Memoised by instant: a request decides every
    member, department and category at one `now`."""
    return now.astimezone(LOCAL_TZ).date()
