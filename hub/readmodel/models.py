"""The facts epoch: one row whose counter every committed change to the read model's facts moves.

Bumped in the changing transaction itself (hub/readmodel/changes.py), so a hub process that reads it at the
start of a request learns of every committed change, even one whose pub/sub message it never received.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.base import Base

EPOCH_ROW = 1


class FactsEpoch(Base):
    __tablename__ = "facts_epoch"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    epoch: Mapped[int] = mapped_column(BigInteger, default=0)
