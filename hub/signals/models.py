"""The table owned by hub.signals: acknowledgements of early signals, append-only (the history is the table).

Signals themselves are never stored: they are computed per request from what the viewer may see. An
acknowledgement is the team's record that someone looked at one occurrence (`signal_key`) and what they noted.
The key holds department record ids and hub ids only, never a CPR number.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.persistence.base import Base, UTCDateTime, new_id, utcnow


class SignalAcknowledgement(Base):
    __tablename__ = "signal_acknowledgements"
    __table_args__ = (Index("ix_signal_acknowledgements_family_key", "family_id", "signal_key"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    family_id: Mapped[str] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    signal_key: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    acknowledged_by: Mapped[str | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
