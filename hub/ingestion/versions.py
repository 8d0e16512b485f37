"""A pushed record's version: the range the hub accepts and the column that stores it, as one fact.

Departments version records with sequence numbers or millisecond timestamps, so versions are 64-bit: validation
(hub/ingestion/events.py) accepts exactly what the columns (hub/ingestion/models.py) can hold, on every backend.
"""

from __future__ import annotations

from sqlalchemy import BigInteger

VERSION_TYPE = BigInteger  # signed 64-bit: BIGINT on PostgreSQL; SQLite's INTEGER is 64-bit already
MAX_VERSION = 2**63 - 1  # the largest value a signed 64-bit column holds
